import { MigrationInterface, QueryRunner } from "typeorm";

export class PersonClearanceFacts1795691992498 implements MigrationInterface {
    name = 'PersonClearanceFacts1795691992498'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "person_clearance_facts" ("person_id" uuid NOT NULL, "employment_ended_at_ms" double precision, "consents" json NOT NULL DEFAULT '[]', CONSTRAINT "PK_a50a65d31645c192da92e630088" PRIMARY KEY ("person_id"))`);
        await queryRunner.query(`ALTER TABLE "person_clearance_facts" ADD CONSTRAINT "FK_a50a65d31645c192da92e630088" FOREIGN KEY ("person_id") REFERENCES "persons"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);

        // Kept by the database itself, so no code path can forget it. The triggers are deferred to
        // commit: by then an audited change holds the audit log's lock (every change appends its
        // event before committing), so refreshes never interleave and their row locks are always
        // taken after that lock, never before it (no deadlock). Code that reads these facts inside
        // the transaction that changed them calls person_clearance_facts_refresh first.
        await queryRunner.query(`
            CREATE FUNCTION person_clearance_facts_refresh(person uuid) RETURNS void
            -- With stale statistics the planner's estimate for this one-person statement crossed
            -- jit_above_cost, and compiling it took 180 ms per call: it never needs JIT.
            LANGUAGE plpgsql SET jit = off AS $$
            BEGIN
                -- One person, by equality on primary keys: plans that stay index lookups whatever
                -- the statistics (a bulk insert refreshes each row's person at commit).
                INSERT INTO person_clearance_facts (person_id)
                    SELECT p.id FROM persons p WHERE p.id = person
                    ON CONFLICT (person_id) DO NOTHING;
                -- Lock first, then read in a new statement (a new snapshot): a concurrent change
                -- of the same person that committed meanwhile is included, never overwritten.
                PERFORM 1 FROM person_clearance_facts WHERE person_id = person FOR UPDATE;
                UPDATE person_clearance_facts f SET
                    employment_ended_at_ms = (
                        SELECT floor(extract(epoch FROM p.employment_ended_at) * 1000)::float8
                        FROM persons p WHERE p.id = f.person_id),
                    consents = coalesce((
                        SELECT json_agg(json_build_array(
                            c.id, c.status,
                            floor(extract(epoch FROM c.requested_at) * 1000)::float8,
                            floor(extract(epoch FROM c.answered_at) * 1000)::float8,
                            floor(extract(epoch FROM c.sign_deadline) * 1000)::float8,
                            floor(extract(epoch FROM c.valid_from) * 1000)::float8,
                            floor(extract(epoch FROM c.valid_until) * 1000)::float8,
                            floor(extract(epoch FROM c.ended_at) * 1000)::float8,
                            c.covers_after_employment, c.channels, c.media_types,
                            coalesce((
                                SELECT json_agg(json_build_array(cc.channel, cc.decision,
                                    floor(extract(epoch FROM cc.withdrawn_at) * 1000)::float8) ORDER BY cc.channel)
                                FROM consent_channels cc WHERE cc.consent_id = c.id), '[]'::json)
                        ) ORDER BY c.requested_at, c.id)
                        FROM consents c WHERE c.person_id = f.person_id), '[]'::json)
                WHERE f.person_id = person;
            END
            $$`);
        await queryRunner.query(`
            CREATE FUNCTION person_clearance_facts_changed() RETURNS trigger
            LANGUAGE plpgsql AS $$
            DECLARE
                changed uuid;
            BEGIN
                IF TG_TABLE_NAME = 'persons' THEN
                    changed := NEW.id;
                ELSIF TG_TABLE_NAME = 'consents' THEN
                    IF TG_OP = 'UPDATE' AND OLD.person_id IS DISTINCT FROM NEW.person_id THEN
                        PERFORM person_clearance_facts_refresh(OLD.person_id);
                    END IF;
                    changed := CASE WHEN TG_OP = 'DELETE' THEN OLD.person_id ELSE NEW.person_id END;
                ELSE
                    SELECT c.person_id INTO changed FROM consents c
                    WHERE c.id = CASE WHEN TG_OP = 'DELETE' THEN OLD.consent_id ELSE NEW.consent_id END;
                END IF;
                IF changed IS NOT NULL THEN
                    PERFORM person_clearance_facts_refresh(changed);
                END IF;
                RETURN NULL;
            END
            $$`);
        await queryRunner.query(`CREATE CONSTRAINT TRIGGER "persons_clearance_facts" AFTER INSERT OR UPDATE OF employment_ended_at ON "persons" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION person_clearance_facts_changed()`);
        await queryRunner.query(`CREATE CONSTRAINT TRIGGER "consents_clearance_facts" AFTER INSERT OR UPDATE OR DELETE ON "consents" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION person_clearance_facts_changed()`);
        await queryRunner.query(`CREATE CONSTRAINT TRIGGER "consent_channels_clearance_facts" AFTER INSERT OR UPDATE OR DELETE ON "consent_channels" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION person_clearance_facts_changed()`);
        await queryRunner.query(`SELECT person_clearance_facts_refresh(id) FROM persons`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TRIGGER "consent_channels_clearance_facts" ON "consent_channels"`);
        await queryRunner.query(`DROP TRIGGER "consents_clearance_facts" ON "consents"`);
        await queryRunner.query(`DROP TRIGGER "persons_clearance_facts" ON "persons"`);
        await queryRunner.query(`DROP FUNCTION person_clearance_facts_changed()`);
        await queryRunner.query(`DROP FUNCTION person_clearance_facts_refresh(uuid)`);
        await queryRunner.query(`ALTER TABLE "person_clearance_facts" DROP CONSTRAINT "FK_a50a65d31645c192da92e630088"`);
        await queryRunner.query(`DROP TABLE "person_clearance_facts"`);
    }

}
