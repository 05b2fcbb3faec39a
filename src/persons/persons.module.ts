import { Module } from '@nestjs/common';
import { PersonsController } from 'src/persons/persons.controller';
import { PersonsService } from 'src/persons/persons.service';

@Module({ controllers: [PersonsController], providers: [PersonsService], exports: [PersonsService] })
export class PersonsModule {}
