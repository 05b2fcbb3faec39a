import { MigrationInterface, QueryRunner } from "typeorm";

export class Assets1795685554439 implements MigrationInterface {
    name = 'Assets1795685554439'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "assets" ("id" uuid NOT NULL, "title" text NOT NULL, "media_type" text NOT NULL, "external_ref" text NOT NULL, "sha256" text, "captured_at" TIMESTAMP WITH TIME ZONE, "registered_by_key_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "ck_assets_sha256" CHECK (sha256 IS NULL OR sha256 ~ '^[0-9a-f]{64}$'), CONSTRAINT "ck_assets_media_type" CHECK (media_type IN ('photo','video','voice')), CONSTRAINT "PK_da96729a8b113377cfb6a62439c" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_assets_external_ref" ON "assets"  ("external_ref") `);
        await queryRunner.query(`CREATE INDEX "ix_assets_created" ON "assets"  ("created_at", "id") `);
        await queryRunner.query(`CREATE TABLE "asset_persons" ("asset_id" uuid NOT NULL, "person_id" uuid NOT NULL, CONSTRAINT "PK_b5c3902dbeb04c753941d940b81" PRIMARY KEY ("asset_id", "person_id"))`);
        await queryRunner.query(`CREATE INDEX "ix_asset_persons_person" ON "asset_persons"  ("person_id", "asset_id") `);
        await queryRunner.query(`CREATE TABLE "publications" ("id" uuid NOT NULL, "asset_id" uuid NOT NULL, "channel" text NOT NULL, "location" text NOT NULL, "published_at" TIMESTAMP WITH TIME ZONE NOT NULL, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL, "recorded_by_key_id" uuid, "removed_at" TIMESTAMP WITH TIME ZONE, "removal_note" text, "removed_by_key_id" uuid, CONSTRAINT "PK_2c4e732b044e09139d2f1065fae" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "ix_publications_recorded" ON "publications"  ("recorded_at", "id") `);
        await queryRunner.query(`CREATE INDEX "ix_publications_asset" ON "publications"  ("asset_id", "recorded_at") `);
        await queryRunner.query(`CREATE INDEX "ix_publications_live" ON "publications"  ("asset_id", "channel") WHERE removed_at IS NULL`);
        await queryRunner.query(`CREATE TABLE "takedowns" ("id" uuid NOT NULL, "publication_id" uuid NOT NULL, "asset_id" uuid NOT NULL, "channel" text NOT NULL, "cause" text NOT NULL, "consent_id" uuid, "opened_at" TIMESTAMP WITH TIME ZONE NOT NULL, "due_at" TIMESTAMP WITH TIME ZONE NOT NULL, "completed_at" TIMESTAMP WITH TIME ZONE, "completion_note" text, "evidence_url" text, "completed_by_key_id" uuid, CONSTRAINT "ck_takedowns_cause" CHECK (cause IN ('consent_withdrawn','consent_revoked','consent_expired','consent_superseded','persons_changed')), CONSTRAINT "PK_b94c9f894b7c1cf3c4dda882163" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "ix_takedowns_opened" ON "takedowns"  ("opened_at", "id") `);
        await queryRunner.query(`CREATE INDEX "ix_takedowns_open_due" ON "takedowns"  ("due_at", "id") WHERE completed_at IS NULL`);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_takedowns_open_publication" ON "takedowns"  ("publication_id") WHERE completed_at IS NULL`);
        await queryRunner.query(`CREATE TABLE "webhooks" ("id" uuid NOT NULL, "url" text NOT NULL, "events" text array NOT NULL, "secret" text NOT NULL, "active" boolean NOT NULL DEFAULT true, "created_by_key_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "deactivated_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_9e8795cfc899ab7bdaa831e8527" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TABLE "webhook_deliveries" ("id" uuid NOT NULL, "webhook_id" uuid NOT NULL, "event" text NOT NULL, "payload" jsonb NOT NULL, "status" text NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "last_error" text, "last_status_code" integer, "next_attempt_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "delivered_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_webhook_deliveries_status" CHECK (status IN ('pending','delivered','failed')), CONSTRAINT "PK_535dd409947fb6d8fc6dfc0112a" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "ix_webhook_deliveries_webhook" ON "webhook_deliveries"  ("webhook_id", "created_at", "id") `);
        await queryRunner.query(`ALTER TABLE "asset_persons" ADD CONSTRAINT "FK_6a615ac8631b973c4b6783e16a5" FOREIGN KEY ("asset_id") REFERENCES "assets"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "asset_persons" ADD CONSTRAINT "FK_5b151169fb33a27730bd64236e7" FOREIGN KEY ("person_id") REFERENCES "persons"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "publications" ADD CONSTRAINT "FK_e1e5312cec4b2f3259b96e7ca20" FOREIGN KEY ("asset_id") REFERENCES "assets"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "takedowns" ADD CONSTRAINT "FK_0e07f3c64699bc4f615dd2b5187" FOREIGN KEY ("publication_id") REFERENCES "publications"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "takedowns" ADD CONSTRAINT "FK_9395ee09691fd0b6c23ecdf43ea" FOREIGN KEY ("asset_id") REFERENCES "assets"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "FK_a0286aeb96db651efd1ae2966f2" FOREIGN KEY ("webhook_id") REFERENCES "webhooks"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "FK_a0286aeb96db651efd1ae2966f2"`);
        await queryRunner.query(`ALTER TABLE "takedowns" DROP CONSTRAINT "FK_9395ee09691fd0b6c23ecdf43ea"`);
        await queryRunner.query(`ALTER TABLE "takedowns" DROP CONSTRAINT "FK_0e07f3c64699bc4f615dd2b5187"`);
        await queryRunner.query(`ALTER TABLE "publications" DROP CONSTRAINT "FK_e1e5312cec4b2f3259b96e7ca20"`);
        await queryRunner.query(`ALTER TABLE "asset_persons" DROP CONSTRAINT "FK_5b151169fb33a27730bd64236e7"`);
        await queryRunner.query(`ALTER TABLE "asset_persons" DROP CONSTRAINT "FK_6a615ac8631b973c4b6783e16a5"`);
        await queryRunner.query(`DROP INDEX "public"."ix_webhook_deliveries_webhook"`);
        await queryRunner.query(`DROP TABLE "webhook_deliveries"`);
        await queryRunner.query(`DROP TABLE "webhooks"`);
        await queryRunner.query(`DROP INDEX "public"."uq_takedowns_open_publication"`);
        await queryRunner.query(`DROP INDEX "public"."ix_takedowns_open_due"`);
        await queryRunner.query(`DROP INDEX "public"."ix_takedowns_opened"`);
        await queryRunner.query(`DROP TABLE "takedowns"`);
        await queryRunner.query(`DROP INDEX "public"."ix_publications_live"`);
        await queryRunner.query(`DROP INDEX "public"."ix_publications_asset"`);
        await queryRunner.query(`DROP INDEX "public"."ix_publications_recorded"`);
        await queryRunner.query(`DROP TABLE "publications"`);
        await queryRunner.query(`DROP INDEX "public"."ix_asset_persons_person"`);
        await queryRunner.query(`DROP TABLE "asset_persons"`);
        await queryRunner.query(`DROP INDEX "public"."ix_assets_created"`);
        await queryRunner.query(`DROP INDEX "public"."uq_assets_external_ref"`);
        await queryRunner.query(`DROP TABLE "assets"`);
    }

}
