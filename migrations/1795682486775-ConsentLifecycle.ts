import { MigrationInterface, QueryRunner } from "typeorm";

export class ConsentLifecycle1795682486775 implements MigrationInterface {
    name = 'ConsentLifecycle1795682486775'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "persons" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "full_name" text NOT NULL, "email" text NOT NULL, "external_ref" text, "locale" text NOT NULL DEFAULT 'fr', "employment_ended_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "ck_persons_locale" CHECK (locale IN ('fr','en')), CONSTRAINT "PK_74278d8812a049233ce41440ac7" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_persons_email" ON "persons"  ("email") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_persons_external_ref" ON "persons"  ("external_ref") WHERE external_ref IS NOT NULL`);
        await queryRunner.query(`CREATE INDEX "ix_persons_created" ON "persons"  ("created_at", "id") `);
        await queryRunner.query(`CREATE TABLE "consents" ("id" uuid NOT NULL, "person_id" uuid NOT NULL, "status" text NOT NULL, "purpose" text NOT NULL, "channels" text array NOT NULL, "media_types" text array NOT NULL, "territory" text array NOT NULL, "excluded_uses" text array NOT NULL, "valid_from" TIMESTAMP WITH TIME ZONE NOT NULL, "valid_until" TIMESTAMP WITH TIME ZONE NOT NULL, "covers_after_employment" boolean NOT NULL DEFAULT false, "template_key" text NOT NULL, "template_version" integer NOT NULL, "locale" text NOT NULL, "notice_text" text NOT NULL, "notice_sha256" text NOT NULL, "previous_consent_id" uuid, "force_justification" text, "requested_by_key_id" uuid, "requested_at" TIMESTAMP WITH TIME ZONE NOT NULL, "sign_deadline" TIMESTAMP WITH TIME ZONE NOT NULL, "answered_at" TIMESTAMP WITH TIME ZONE, "method" text, "signer_name" text, "signer_ip" text, "signer_user_agent" text, "ended_at" TIMESTAMP WITH TIME ZONE, "end_reason" text, CONSTRAINT "ck_consents_window" CHECK (valid_until > valid_from), CONSTRAINT "ck_consents_status" CHECK (status IN ('pending','granted','refused','lapsed','withdrawn','expired','superseded','revoked')), CONSTRAINT "PK_9efc68eb6aba7d638fb6ea034dd" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "ix_consents_requested" ON "consents"  ("requested_at", "id") `);
        await queryRunner.query(`CREATE INDEX "ix_consents_status_until" ON "consents"  ("status", "valid_until") `);
        await queryRunner.query(`CREATE INDEX "ix_consents_person" ON "consents"  ("person_id", "requested_at") `);
        await queryRunner.query(`CREATE TABLE "consent_channels" ("consent_id" uuid NOT NULL, "channel" text NOT NULL, "decision" text NOT NULL, "decided_at" TIMESTAMP WITH TIME ZONE NOT NULL, "withdrawn_at" TIMESTAMP WITH TIME ZONE, "withdrawal_id" uuid, CONSTRAINT "ck_consent_channels_decision" CHECK (decision IN ('accepted','refused')), CONSTRAINT "PK_5fc06f439efd04f864175044739" PRIMARY KEY ("consent_id", "channel"))`);
        await queryRunner.query(`CREATE TABLE "consent_withdrawals" ("id" uuid NOT NULL, "consent_id" uuid NOT NULL, "channels" text array NOT NULL, "whole_consent" boolean NOT NULL, "received_via" text NOT NULL, "reason" text, "recorded_by_key_id" uuid, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_3a67a25f9c4bca801d7bbcee99f" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "ix_consent_withdrawals_consent" ON "consent_withdrawals"  ("consent_id", "occurred_at") `);
        await queryRunner.query(`CREATE TABLE "consent_paper_scans" ("consent_id" uuid NOT NULL, "pdf" bytea NOT NULL, "sha256" text NOT NULL, "uploaded_by_key_id" uuid, "uploaded_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_e5b35bcf777a3dcb12ed74b7bb9" PRIMARY KEY ("consent_id"))`);
        await queryRunner.query(`CREATE TABLE "link_tokens" ("id" uuid NOT NULL, "token_hash" bytea NOT NULL, "purpose" text NOT NULL, "person_id" uuid NOT NULL, "consent_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "opened_at" TIMESTAMP WITH TIME ZONE, "used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_link_tokens_purpose" CHECK ((purpose = 'sign' AND consent_id IS NOT NULL) OR (purpose = 'manage' AND consent_id IS NULL)), CONSTRAINT "PK_af579a5188d3dfebc6bb1a4f6fd" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_link_tokens_hash" ON "link_tokens"  ("token_hash") `);
        await queryRunner.query(`CREATE INDEX "ix_link_tokens_person" ON "link_tokens"  ("person_id", "purpose") `);
        await queryRunner.query(`CREATE TABLE "mails" ("id" uuid NOT NULL, "kind" text NOT NULL, "person_id" uuid NOT NULL, "consent_id" uuid, "withdrawal_id" uuid, "status" text NOT NULL, "attempts" integer NOT NULL DEFAULT '0', "last_error" text, "sent_to" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "sent_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_218248d7dfe1b739f06e2309349" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "ix_mails_person" ON "mails"  ("person_id", "created_at") `);
        await queryRunner.query(`CREATE INDEX "ix_mails_status" ON "mails"  ("status", "created_at") `);
        await queryRunner.query(`ALTER TABLE "consents" ADD CONSTRAINT "FK_386e2258153075525e939e51bc8" FOREIGN KEY ("person_id") REFERENCES "persons"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "consents" ADD CONSTRAINT "FK_f29adf5682ea3c26d864ff7df19" FOREIGN KEY ("previous_consent_id") REFERENCES "consents"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "consent_channels" ADD CONSTRAINT "FK_3885fa5cea738d1ad73edaa2a75" FOREIGN KEY ("consent_id") REFERENCES "consents"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "consent_withdrawals" ADD CONSTRAINT "FK_fc5eb0c0af947a5704c84e14326" FOREIGN KEY ("consent_id") REFERENCES "consents"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "consent_paper_scans" ADD CONSTRAINT "FK_e5b35bcf777a3dcb12ed74b7bb9" FOREIGN KEY ("consent_id") REFERENCES "consents"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "link_tokens" ADD CONSTRAINT "FK_25ea0f23067c3739f4a68db0f2c" FOREIGN KEY ("person_id") REFERENCES "persons"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "link_tokens" ADD CONSTRAINT "FK_7d4107ca0aa8e76eccddb72ac56" FOREIGN KEY ("consent_id") REFERENCES "consents"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "mails" ADD CONSTRAINT "FK_308b2dff8701e750c60f7c47e8d" FOREIGN KEY ("person_id") REFERENCES "persons"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "mails" DROP CONSTRAINT "FK_308b2dff8701e750c60f7c47e8d"`);
        await queryRunner.query(`ALTER TABLE "link_tokens" DROP CONSTRAINT "FK_7d4107ca0aa8e76eccddb72ac56"`);
        await queryRunner.query(`ALTER TABLE "link_tokens" DROP CONSTRAINT "FK_25ea0f23067c3739f4a68db0f2c"`);
        await queryRunner.query(`ALTER TABLE "consent_paper_scans" DROP CONSTRAINT "FK_e5b35bcf777a3dcb12ed74b7bb9"`);
        await queryRunner.query(`ALTER TABLE "consent_withdrawals" DROP CONSTRAINT "FK_fc5eb0c0af947a5704c84e14326"`);
        await queryRunner.query(`ALTER TABLE "consent_channels" DROP CONSTRAINT "FK_3885fa5cea738d1ad73edaa2a75"`);
        await queryRunner.query(`ALTER TABLE "consents" DROP CONSTRAINT "FK_f29adf5682ea3c26d864ff7df19"`);
        await queryRunner.query(`ALTER TABLE "consents" DROP CONSTRAINT "FK_386e2258153075525e939e51bc8"`);
        await queryRunner.query(`DROP INDEX "public"."ix_mails_status"`);
        await queryRunner.query(`DROP INDEX "public"."ix_mails_person"`);
        await queryRunner.query(`DROP TABLE "mails"`);
        await queryRunner.query(`DROP INDEX "public"."ix_link_tokens_person"`);
        await queryRunner.query(`DROP INDEX "public"."uq_link_tokens_hash"`);
        await queryRunner.query(`DROP TABLE "link_tokens"`);
        await queryRunner.query(`DROP TABLE "consent_paper_scans"`);
        await queryRunner.query(`DROP INDEX "public"."ix_consent_withdrawals_consent"`);
        await queryRunner.query(`DROP TABLE "consent_withdrawals"`);
        await queryRunner.query(`DROP TABLE "consent_channels"`);
        await queryRunner.query(`DROP INDEX "public"."ix_consents_person"`);
        await queryRunner.query(`DROP INDEX "public"."ix_consents_status_until"`);
        await queryRunner.query(`DROP INDEX "public"."ix_consents_requested"`);
        await queryRunner.query(`DROP TABLE "consents"`);
        await queryRunner.query(`DROP INDEX "public"."ix_persons_created"`);
        await queryRunner.query(`DROP INDEX "public"."uq_persons_external_ref"`);
        await queryRunner.query(`DROP INDEX "public"."uq_persons_email"`);
        await queryRunner.query(`DROP TABLE "persons"`);
    }

}
