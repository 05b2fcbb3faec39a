import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditActor, AuditLog } from 'src/audit/audit-log.service';
import { Clock } from 'src/common/clock/clock';
import { DomainError, NotFound, ValidationFailed } from 'src/common/errors/domain-error';
import { decodeCursor, Page, toPage } from 'src/common/http/pagination';
import { parsePersonCsv } from 'src/persons/domain/person-csv';
import { normalizeEmail, normalizeName } from 'src/persons/domain/person-input';
import { CreatePersonDto, ImportResultDto, ListPersonsQueryDto, PersonDto, UpdatePersonDto } from 'src/persons/dto/person.dto';
import { Person } from 'src/persons/person.entity';

/** Runs inside the transaction that records an end of employment (the consents module revokes). */
export type EmploymentEndHandler = (em: EntityManager, person: Person, actor: AuditActor) => Promise<void>;

@Injectable()
export class PersonsService {
  private readonly employmentEndHandlers: EmploymentEndHandler[] = [];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  onEmploymentEnded(handler: EmploymentEndHandler): void {
    this.employmentEndHandlers.push(handler);
  }

  async create(input: CreatePersonDto, actor: AuditActor): Promise<Person> {
    return this.dataSource.transaction(async (em) => {
      const now = this.clock.now();
      const person = em.create(Person, {
        id: randomUUID(),
        fullName: normalizeName(input.fullName),
        email: normalizeEmail(input.email),
        externalRef: input.externalRef ?? null,
        locale: input.locale ?? 'fr',
        employmentEndedAt: input.employmentEndedAt ? new Date(input.employmentEndedAt) : null,
        createdAt: now,
        updatedAt: now,
      });
      await this.assertUnique(em, person);
      await em.insert(Person, person);
      await this.audit.append(em, { action: 'person.created', actor, personId: person.id });
      return person;
    });
  }

  async get(id: string, em: EntityManager = this.dataSource.manager): Promise<Person> {
    const person = await em.findOneBy(Person, { id });
    if (!person) throw new NotFound('Person');
    return person;
  }

  async list(query: ListPersonsQueryDto): Promise<Page<PersonDto>> {
    const limit = query.limit ?? 50;
    const after = decodeCursor(query.cursor);
    const qb = this.dataSource.getRepository(Person).createQueryBuilder('p');
    if (query.email !== undefined) qb.andWhere('p.email = :email', { email: normalizeEmail(query.email) });
    if (query.externalRef !== undefined) qb.andWhere('p.external_ref = :ref', { ref: query.externalRef.trim() });
    if (after) qb.andWhere('(p.created_at, p.id) > (:at, :id)', { at: after.at, id: after.id });
    const rows = await qb.orderBy('p.created_at', 'ASC').addOrderBy('p.id', 'ASC').limit(limit + 1).getMany();
    return toPage(rows, limit, (p) => ({ at: p.createdAt, id: p.id }), (p) => PersonDto.from(p));
  }

  async update(id: string, input: UpdatePersonDto, actor: AuditActor): Promise<Person> {
    return this.dataSource.transaction(async (em) => {
      const person = await em.findOne(Person, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!person) throw new NotFound('Person');
      const before = { ...person };
      if (input.fullName !== undefined) person.fullName = normalizeName(input.fullName);
      if (input.email !== undefined) person.email = normalizeEmail(input.email);
      if (input.externalRef !== undefined) person.externalRef = input.externalRef;
      if (input.locale !== undefined) person.locale = input.locale;
      if (input.employmentEndedAt !== undefined) {
        person.employmentEndedAt = input.employmentEndedAt === null ? null : new Date(input.employmentEndedAt);
      }
      const changed = changedFields(before, person);
      if (changed.length === 0) return person;
      person.updatedAt = this.clock.now();
      await this.assertUnique(em, person);
      await em.save(person);
      await this.audit.append(em, { action: 'person.updated', actor, personId: person.id, data: { fields: changed } });
      if (changed.includes('employmentEndedAt') && person.employmentEndedAt) {
        for (const handler of this.employmentEndHandlers) await handler(em, person, actor);
      }
      return person;
    });
  }

  /** All or nothing: one bad line and nothing is written; every bad line is reported. */
  async importCsv(csv: string, actor: AuditActor): Promise<ImportResultDto> {
    const { rows, errors } = parsePersonCsv(csv);
    if (errors.length > 0) {
      throw new ValidationFailed(errors.map((e) => ({ field: e.field, problems: [e.problem], line: e.line })));
    }
    return this.dataSource.transaction(async (em) => {
      const result = { created: 0, updated: 0, unchanged: 0 };
      const now = this.clock.now();
      const conflicts: { line: number; field: string; problem: string }[] = [];
      for (const row of rows) {
        const existing =
          (row.externalRef ? await em.findOneBy(Person, { externalRef: row.externalRef }) : null) ??
          (await em.findOneBy(Person, { email: row.email }));
        if (!existing) {
          const { line: _line, ...fields } = row;
          const person = em.create(Person, { id: randomUUID(), ...fields, employmentEndedAt: null, createdAt: now, updatedAt: now });
          const clash = await this.findClash(em, person);
          if (clash) {
            conflicts.push({ line: row.line, field: clash, problem: `another person already has this ${clash}` });
            continue;
          }
          await em.insert(Person, person);
          await this.audit.append(em, { action: 'person.created', actor, personId: person.id, data: { via: 'csv_import' } });
          result.created += 1;
          continue;
        }
        const before = { ...existing };
        Object.assign(existing, { fullName: row.fullName, email: row.email, locale: row.locale });
        if (row.externalRef) existing.externalRef = row.externalRef;
        const changed = changedFields(before, existing);
        if (changed.length === 0) {
          result.unchanged += 1;
          continue;
        }
        const clash = await this.findClash(em, existing);
        if (clash) {
          conflicts.push({ line: row.line, field: clash, problem: `another person already has this ${clash}` });
          continue;
        }
        existing.updatedAt = now;
        await em.save(existing);
        await this.audit.append(em, { action: 'person.updated', actor, personId: existing.id, data: { fields: changed, via: 'csv_import' } });
        result.updated += 1;
      }
      if (conflicts.length > 0) {
        throw new ValidationFailed(conflicts.map((e) => ({ field: e.field, problems: [e.problem], line: e.line })));
      }
      return result;
    });
  }

  private async assertUnique(em: EntityManager, person: Person): Promise<void> {
    const clash = await this.findClash(em, person);
    if (clash) {
      throw new DomainError('PERSON_ALREADY_EXISTS', `Another person already has this ${clash}`, { field: clash });
    }
  }

  private async findClash(em: EntityManager, person: Person): Promise<'email' | 'externalRef' | undefined> {
    const sameEmail = await em
      .createQueryBuilder(Person, 'p')
      .where('p.email = :email AND p.id IS DISTINCT FROM :id', { email: person.email, id: person.id ?? null })
      .getExists();
    if (sameEmail) return 'email';
    if (!person.externalRef) return undefined;
    const sameRef = await em
      .createQueryBuilder(Person, 'p')
      .where('p.external_ref = :ref AND p.id IS DISTINCT FROM :id', { ref: person.externalRef, id: person.id ?? null })
      .getExists();
    return sameRef ? 'externalRef' : undefined;
  }
}

const TRACKED: (keyof Person)[] = ['fullName', 'email', 'externalRef', 'locale', 'employmentEndedAt'];

function changedFields(before: Person, after: Person): string[] {
  return TRACKED.filter((field) => {
    const a = before[field];
    const b = after[field];
    if (a instanceof Date || b instanceof Date) return (a as Date | null)?.getTime() !== (b as Date | null)?.getTime();
    return a !== b;
  });
}
