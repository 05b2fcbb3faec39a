import { MigrationInterface, QueryRunner } from "typeorm";

export class StaffMails1795683601443 implements MigrationInterface {
    name = 'StaffMails1795683601443'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "mails" ADD "recipient" text`);
        await queryRunner.query(`ALTER TABLE "mails" ADD "subject" jsonb`);
        await queryRunner.query(`ALTER TABLE "mails" DROP CONSTRAINT "FK_308b2dff8701e750c60f7c47e8d"`);
        await queryRunner.query(`DROP INDEX "public"."ix_mails_person"`);
        await queryRunner.query(`ALTER TABLE "mails" ALTER COLUMN "person_id" DROP NOT NULL`);
        await queryRunner.query(`CREATE INDEX "ix_mails_person" ON "mails"  ("person_id", "created_at") `);
        await queryRunner.query(`ALTER TABLE "mails" ADD CONSTRAINT "ck_mails_addressee" CHECK ((person_id IS NOT NULL) <> (recipient IS NOT NULL))`);
        await queryRunner.query(`ALTER TABLE "mails" ADD CONSTRAINT "FK_308b2dff8701e750c60f7c47e8d" FOREIGN KEY ("person_id") REFERENCES "persons"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "mails" DROP CONSTRAINT "FK_308b2dff8701e750c60f7c47e8d"`);
        await queryRunner.query(`ALTER TABLE "mails" DROP CONSTRAINT "ck_mails_addressee"`);
        await queryRunner.query(`DROP INDEX "public"."ix_mails_person"`);
        await queryRunner.query(`ALTER TABLE "mails" ALTER COLUMN "person_id" SET NOT NULL`);
        await queryRunner.query(`CREATE INDEX "ix_mails_person" ON "mails" USING btree ("person_id", "created_at") `);
        await queryRunner.query(`ALTER TABLE "mails" ADD CONSTRAINT "FK_308b2dff8701e750c60f7c47e8d" FOREIGN KEY ("person_id") REFERENCES "persons"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "mails" DROP COLUMN "subject"`);
        await queryRunner.query(`ALTER TABLE "mails" DROP COLUMN "recipient"`);
    }

}
