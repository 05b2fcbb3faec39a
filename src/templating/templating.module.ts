import { Global, Module } from '@nestjs/common';
import { TemplateStore } from 'src/templating/template-store';

@Global()
@Module({ providers: [TemplateStore], exports: [TemplateStore] })
export class TemplatingModule {}
