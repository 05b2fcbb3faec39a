import { MigrationInterface, QueryRunner } from "typeorm";

export class Reminders1795683831126 implements MigrationInterface {
    name = 'Reminders1795683831126'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "notifications" ("id" uuid NOT NULL, "consent_id" uuid NOT NULL, "person_id" uuid NOT NULL, "kind" text NOT NULL, "offset_days" integer NOT NULL, "due_at" TIMESTAMP WITH TIME ZONE NOT NULL, "status" text NOT NULL, "mail_id" uuid, "outcome" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "processed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_notifications_status" CHECK (status IN ('pending','done','skipped','cancelled')), CONSTRAINT "ck_notifications_kind" CHECK (kind IN ('reminder','expiry')), CONSTRAINT "PK_6a72c3c0f683f6462415e653c3a" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "ix_notifications_due" ON "notifications"  ("due_at") WHERE status = 'pending'`);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_notifications_consent_kind_offset" ON "notifications"  ("consent_id", "kind", "offset_days") `);
        await queryRunner.query(`ALTER TABLE "notifications" ADD CONSTRAINT "FK_6f0822e256bee7ef586e42bfc51" FOREIGN KEY ("consent_id") REFERENCES "consents"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "notifications" DROP CONSTRAINT "FK_6f0822e256bee7ef586e42bfc51"`);
        await queryRunner.query(`DROP INDEX "public"."uq_notifications_consent_kind_offset"`);
        await queryRunner.query(`DROP INDEX "public"."ix_notifications_due"`);
        await queryRunner.query(`DROP TABLE "notifications"`);
    }

}
