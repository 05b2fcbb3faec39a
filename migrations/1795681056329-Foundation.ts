import { MigrationInterface, QueryRunner } from "typeorm";

export class Foundation1795681056329 implements MigrationInterface {
    name = 'Foundation1795681056329'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "api_keys" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "role" text NOT NULL, "key_hash" bytea NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_api_keys_key_hash" ON "api_keys"  ("key_hash") `);
        await queryRunner.query(`CREATE TABLE "queued_jobs" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "queue" text NOT NULL, "name" text NOT NULL, "job_id" text NOT NULL, "payload" jsonb NOT NULL, "run_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "dispatched_at" TIMESTAMP WITH TIME ZONE, "done_at" TIMESTAMP WITH TIME ZONE, "dispatch_attempts" integer NOT NULL DEFAULT '0', "last_dispatch_error" text, CONSTRAINT "PK_bcc60858de99b50a4d5c951fc90" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_queued_jobs_job_id" ON "queued_jobs"  ("job_id") `);
        await queryRunner.query(`CREATE INDEX "ix_queued_jobs_unfinished" ON "queued_jobs"  ("dispatched_at") WHERE dispatched_at IS NOT NULL AND done_at IS NULL`);
        await queryRunner.query(`CREATE INDEX "ix_queued_jobs_undispatched" ON "queued_jobs"  ("run_at") WHERE dispatched_at IS NULL`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."ix_queued_jobs_undispatched"`);
        await queryRunner.query(`DROP INDEX "public"."ix_queued_jobs_unfinished"`);
        await queryRunner.query(`DROP INDEX "public"."uq_queued_jobs_job_id"`);
        await queryRunner.query(`DROP TABLE "queued_jobs"`);
        await queryRunner.query(`DROP INDEX "public"."uq_api_keys_key_hash"`);
        await queryRunner.query(`DROP TABLE "api_keys"`);
    }

}
