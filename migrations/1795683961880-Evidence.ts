import { MigrationInterface, QueryRunner } from "typeorm";

export class Evidence1795683961880 implements MigrationInterface {
    name = 'Evidence1795683961880'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "evidence_documents" ("id" uuid NOT NULL, "consent_id" uuid NOT NULL, "kind" text NOT NULL, "withdrawal_id" uuid, "pdf" bytea NOT NULL, "sha256" text NOT NULL, "certificate_sha256" text NOT NULL, "audit_seq" bigint NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "ck_evidence_documents_sha256" CHECK (sha256 ~ '^[0-9a-f]{64}$'), CONSTRAINT "ck_evidence_documents_withdrawal" CHECK ((kind = 'withdrawal') = (withdrawal_id IS NOT NULL)), CONSTRAINT "ck_evidence_documents_kind" CHECK (kind IN ('grant','withdrawal','paper_cover')), CONSTRAINT "PK_b46a40c01287b3f561833b5964a" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_evidence_documents_withdrawal" ON "evidence_documents"  ("withdrawal_id") WHERE withdrawal_id IS NOT NULL`);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_evidence_documents_sha256" ON "evidence_documents"  ("sha256") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_evidence_documents_grant" ON "evidence_documents"  ("consent_id") WHERE kind <> 'withdrawal'`);
        await queryRunner.query(`CREATE INDEX "ix_evidence_documents_consent" ON "evidence_documents"  ("consent_id", "created_at") `);
        await queryRunner.query(`ALTER TABLE "evidence_documents" ADD CONSTRAINT "FK_2e3aa9446a982375ec28b33ba29" FOREIGN KEY ("consent_id") REFERENCES "consents"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "evidence_documents" ADD CONSTRAINT "FK_a9d7fafbbf5a2b7c4d94ae852ce" FOREIGN KEY ("withdrawal_id") REFERENCES "consent_withdrawals"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);

        // Hand-written below this line: issued documents are append-only, like the audit log.
        // PDFs are already compressed: store them out of line without trying to compress them again.
        await queryRunner.query(`ALTER TABLE "evidence_documents" ALTER COLUMN "pdf" SET STORAGE EXTERNAL`);
        await queryRunner.query(`
            CREATE FUNCTION evidence_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'evidence documents are append-only: % on % refused', TG_OP, TG_TABLE_NAME
                    USING ERRCODE = 'insufficient_privilege';
            END;
            $$`);
        await queryRunner.query(`CREATE TRIGGER "evidence_documents_append_only" BEFORE UPDATE OR DELETE ON "evidence_documents" FOR EACH ROW EXECUTE FUNCTION evidence_refuse_change()`);
        await queryRunner.query(`CREATE TRIGGER "evidence_documents_no_truncate" BEFORE TRUNCATE ON "evidence_documents" FOR EACH STATEMENT EXECUTE FUNCTION evidence_refuse_change()`);
        // ALWAYS: the triggers fire even with session_replication_role = replica.
        await queryRunner.query(`ALTER TABLE "evidence_documents" ENABLE ALWAYS TRIGGER "evidence_documents_append_only"`);
        await queryRunner.query(`ALTER TABLE "evidence_documents" ENABLE ALWAYS TRIGGER "evidence_documents_no_truncate"`);
        // The service's role (see migration AuditLog) may read and add documents, never change them.
        await queryRunner.query(`
            DO $$
            BEGIN
                IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'consent_ledger_app') THEN
                    REVOKE ALL ON evidence_documents FROM consent_ledger_app;
                    GRANT SELECT, INSERT ON evidence_documents TO consent_ledger_app;
                END IF;
            END
            $$`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "evidence_documents" DROP CONSTRAINT "FK_a9d7fafbbf5a2b7c4d94ae852ce"`);
        await queryRunner.query(`ALTER TABLE "evidence_documents" DROP CONSTRAINT "FK_2e3aa9446a982375ec28b33ba29"`);
        await queryRunner.query(`DROP INDEX "public"."ix_evidence_documents_consent"`);
        await queryRunner.query(`DROP INDEX "public"."uq_evidence_documents_grant"`);
        await queryRunner.query(`DROP INDEX "public"."uq_evidence_documents_sha256"`);
        await queryRunner.query(`DROP INDEX "public"."uq_evidence_documents_withdrawal"`);
        await queryRunner.query(`DROP TABLE "evidence_documents"`);
        await queryRunner.query(`DROP FUNCTION evidence_refuse_change()`);
    }

}
