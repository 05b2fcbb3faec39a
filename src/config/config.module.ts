import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule as NestConfigModule } from '@nestjs/config';
import { AppConfig } from 'src/config/app-config';
import { validateEnvironment } from 'src/config/env.schema';

/** Reads and validates process.env when the application is assembled, not when this file loads. */
@Module({})
export class ConfigModule {
  static forRoot(): DynamicModule {
    return {
      module: ConfigModule,
      global: true,
      imports: [
        NestConfigModule.forRoot({ ignoreEnvFile: true, cache: true, validate: validateEnvironment }),
      ],
      providers: [AppConfig],
      exports: [AppConfig],
    };
  }
}
