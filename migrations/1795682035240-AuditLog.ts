import { MigrationInterface, QueryRunner } from "typeorm";

export class AuditLog1795682035240 implements MigrationInterface {
    name = 'AuditLog1795682035240'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "audit_checkpoints" ("tree_size" bigint NOT NULL, "root_hash" bytea NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "note" text NOT NULL, CONSTRAINT "PK_b0c1fcdd36d0abc4d88dea6f56d" PRIMARY KEY ("tree_size"))`);
        await queryRunner.query(`CREATE TABLE "audit_events" ("seq" bigint NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "action" text NOT NULL, "person_id" uuid, "consent_id" uuid, "asset_id" uuid, "canonical" bytea NOT NULL, "leaf_hash" bytea NOT NULL, CONSTRAINT "PK_6e299f5706e715265416fefe53e" PRIMARY KEY ("seq"))`);
        await queryRunner.query(`CREATE INDEX "ix_audit_events_occurred_at" ON "audit_events"  ("occurred_at") `);
        await queryRunner.query(`CREATE INDEX "ix_audit_events_action" ON "audit_events"  ("action", "seq") `);
        await queryRunner.query(`CREATE INDEX "ix_audit_events_asset" ON "audit_events"  ("asset_id", "seq") WHERE asset_id IS NOT NULL`);
        await queryRunner.query(`CREATE INDEX "ix_audit_events_consent" ON "audit_events"  ("consent_id", "seq") WHERE consent_id IS NOT NULL`);
        await queryRunner.query(`CREATE INDEX "ix_audit_events_person" ON "audit_events"  ("person_id", "seq") WHERE person_id IS NOT NULL`);
        await queryRunner.query(`CREATE TABLE "audit_tree_nodes" ("level" smallint NOT NULL, "idx" bigint NOT NULL, "hash" bytea NOT NULL, CONSTRAINT "ck_audit_tree_nodes_level" CHECK ("level" >= 1), CONSTRAINT "PK_c607c3162f89b0528923611d998" PRIMARY KEY ("level", "idx"))`);
        await queryRunner.query(`CREATE TABLE "audit_tree_state" ("id" smallint NOT NULL, "tree_size" bigint NOT NULL, "frontier" bytea NOT NULL, "last_checkpoint_size" bigint, CONSTRAINT "ck_audit_tree_state_single_row" CHECK ("id" = 1), CONSTRAINT "PK_23dd870cd8bd0bbd2b2ac3633a9" PRIMARY KEY ("id"))`);

        // Hand-written below this line: the empty tree, append-only enforcement and the app role.
        await queryRunner.query(`INSERT INTO "audit_tree_state" ("id", "tree_size", "frontier", "last_checkpoint_size") VALUES (1, 0, ''::bytea, NULL)`);
        await queryRunner.query(`
            CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
                    USING ERRCODE = 'insufficient_privilege';
            END;
            $$`);
        await queryRunner.query(`
            CREATE FUNCTION audit_tree_state_only_grows() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP <> 'UPDATE' THEN
                    RAISE EXCEPTION 'audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                IF NEW.id <> OLD.id
                    OR NEW.tree_size < OLD.tree_size
                    OR (NEW.tree_size = OLD.tree_size AND NEW.frontier IS DISTINCT FROM OLD.frontier)
                    OR (OLD.last_checkpoint_size IS NOT NULL
                        AND (NEW.last_checkpoint_size IS NULL OR NEW.last_checkpoint_size < OLD.last_checkpoint_size)) THEN
                    RAISE EXCEPTION 'audit log is append-only: the tree state may only grow'
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                RETURN NEW;
            END;
            $$`);
        for (const table of ['audit_events', 'audit_tree_nodes', 'audit_checkpoints']) {
            await queryRunner.query(`CREATE TRIGGER "${table}_append_only" BEFORE UPDATE OR DELETE ON "${table}" FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()`);
            await queryRunner.query(`CREATE TRIGGER "${table}_no_truncate" BEFORE TRUNCATE ON "${table}" FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()`);
        }
        await queryRunner.query(`CREATE TRIGGER "audit_tree_state_only_grows" BEFORE UPDATE OR DELETE ON "audit_tree_state" FOR EACH ROW EXECUTE FUNCTION audit_tree_state_only_grows()`);
        await queryRunner.query(`CREATE TRIGGER "audit_tree_state_no_truncate" BEFORE TRUNCATE ON "audit_tree_state" FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()`);
        // ALWAYS: the triggers fire even with session_replication_role = replica.
        for (const table of ['audit_events', 'audit_tree_nodes', 'audit_checkpoints']) {
            await queryRunner.query(`ALTER TABLE "${table}" ENABLE ALWAYS TRIGGER "${table}_append_only"`);
            await queryRunner.query(`ALTER TABLE "${table}" ENABLE ALWAYS TRIGGER "${table}_no_truncate"`);
        }
        await queryRunner.query(`ALTER TABLE "audit_tree_state" ENABLE ALWAYS TRIGGER "audit_tree_state_only_grows"`);
        await queryRunner.query(`ALTER TABLE "audit_tree_state" ENABLE ALWAYS TRIGGER "audit_tree_state_no_truncate"`);
        // The role the service runs under: SELECT/INSERT only on the audit tables (roles are
        // cluster-wide, so it is created once; without CREATEROLE a DBA creates it and re-runs the grants).
        await queryRunner.query(`
            DO $$
            BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'consent_ledger_app') THEN
                    BEGIN
                        CREATE ROLE consent_ledger_app NOLOGIN;
                    EXCEPTION WHEN insufficient_privilege THEN
                        RAISE NOTICE 'role consent_ledger_app not created (no CREATEROLE): create it, then re-apply the grants of migration AuditLog';
                        RETURN;
                    END;
                END IF;
                GRANT USAGE ON SCHEMA public TO consent_ledger_app;
                GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO consent_ledger_app;
                GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO consent_ledger_app;
                ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO consent_ledger_app;
                ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO consent_ledger_app;
                REVOKE ALL ON audit_events, audit_tree_nodes, audit_checkpoints, audit_tree_state, typeorm_migrations FROM consent_ledger_app;
                GRANT SELECT, INSERT ON audit_events, audit_tree_nodes, audit_checkpoints TO consent_ledger_app;
                GRANT SELECT, UPDATE ON audit_tree_state TO consent_ledger_app;
                GRANT SELECT ON typeorm_migrations TO consent_ledger_app;
            END
            $$`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        // The role is cluster-wide and may serve other databases: only this database's grants go.
        await queryRunner.query(`
            DO $$
            BEGIN
                IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'consent_ledger_app') THEN
                    ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM consent_ledger_app;
                    ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES FROM consent_ledger_app;
                    REVOKE ALL ON ALL TABLES IN SCHEMA public FROM consent_ledger_app;
                    REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM consent_ledger_app;
                    REVOKE USAGE ON SCHEMA public FROM consent_ledger_app;
                END IF;
            END
            $$`);
        await queryRunner.query(`DROP TABLE "audit_tree_state"`);
        await queryRunner.query(`DROP TABLE "audit_tree_nodes"`);
        await queryRunner.query(`DROP INDEX "public"."ix_audit_events_person"`);
        await queryRunner.query(`DROP INDEX "public"."ix_audit_events_consent"`);
        await queryRunner.query(`DROP INDEX "public"."ix_audit_events_asset"`);
        await queryRunner.query(`DROP INDEX "public"."ix_audit_events_action"`);
        await queryRunner.query(`DROP INDEX "public"."ix_audit_events_occurred_at"`);
        await queryRunner.query(`DROP TABLE "audit_events"`);
        await queryRunner.query(`DROP TABLE "audit_checkpoints"`);
        await queryRunner.query(`DROP FUNCTION audit_tree_state_only_grows()`);
        await queryRunner.query(`DROP FUNCTION audit_refuse_change()`);
    }

}
