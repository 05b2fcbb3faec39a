import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { ROLES, Role } from 'src/common/auth/roles';
import { buildOpenApiDocument } from 'src/openapi';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface SchemaShape {
  type?: string;
  format?: string;
  enum?: unknown[];
  items?: SchemaShape;
  properties?: Record<string, SchemaShape>;
  required?: string[];
  oneOf?: SchemaShape[];
  allOf?: SchemaShape[];
  $ref?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  nullable?: boolean;
  pattern?: string;
  example?: unknown;
}

export interface QueryParameter {
  name: string;
  required: boolean;
  schema: SchemaShape;
}

/** One /v1 operation as the OpenAPI document describes it. */
export interface ApiOperation {
  method: HttpMethod;
  /** Fastify-style template: /v1/persons/:id */
  path: string;
  /** x-roles; undefined when the operation declares none (the access matrix fails on it). */
  roles: Role[] | undefined;
  pathParams: string[];
  query: QueryParameter[];
  /** Request body media types and the JSON body schema (resolved), when the operation takes a body. */
  body?: { contentTypes: string[]; schema?: SchemaShape };
  label: string;
}

export type LinkKind = 'sign' | 'manage';

/** Routes outside the OpenAPI document (employee pages): listed here by hand, checked against the router. */
export interface PageRoute {
  method: HttpMethod;
  path: string;
  /** The link token in the path, if any. */
  token?: LinkKind;
  /** A form post that must carry a CSRF token. */
  form?: boolean;
  /** Requests per window per client address before 429. */
  rateLimit?: number;
}

export const PAGE_ROUTES: PageRoute[] = [
  { method: 'GET', path: '/assets/pages.css' },
  { method: 'GET', path: '/s/:token', token: 'sign', rateLimit: 60 },
  { method: 'POST', path: '/s/:token/accept', token: 'sign', form: true, rateLimit: 60 },
  { method: 'POST', path: '/s/:token/decline', token: 'sign', form: true, rateLimit: 60 },
  { method: 'GET', path: '/m/:token', token: 'manage', rateLimit: 60 },
  { method: 'GET', path: '/m/:token/consents/:consentId/withdraw', token: 'manage', rateLimit: 60 },
  {
    method: 'POST',
    path: '/m/:token/consents/:consentId/withdraw',
    token: 'manage',
    form: true,
    rateLimit: 60,
  },
  {
    method: 'GET',
    path: '/m/:token/consents/:consentId/documents/:documentId.pdf',
    token: 'manage',
    rateLimit: 60,
  },
  { method: 'GET', path: '/me' },
  { method: 'POST', path: '/me', form: true, rateLimit: 5 },
];

/** Public routes that are neither /v1 nor pages: health and the API documentation. */
export const INFRASTRUCTURE_ROUTES: { method: HttpMethod; path: string }[] = [
  { method: 'GET', path: '/health' },
  { method: 'GET', path: '/docs' },
  { method: 'GET', path: '/docs/' },
  { method: 'GET', path: '/docs/*' },
  { method: 'GET', path: '/docs/swagger-ui-init.js' },
  { method: 'GET', path: '/docs/docs/swagger-ui-init.js' },
  { method: 'GET', path: '/docs/index.html' },
  { method: 'GET', path: '/docs/LICENSE' },
  { method: 'GET', path: '/docs-json' },
  { method: 'GET', path: '/docs-yaml' },
];

const METHODS = new Set<string>(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** Every /v1 operation of the live application, from its generated OpenAPI document. */
export function apiOperations(app: INestApplication): ApiOperation[] {
  const document = buildOpenApiDocument(app);
  const operations: ApiOperation[] = [];
  for (const [template, item] of Object.entries(document.paths)) {
    if (!template.startsWith('/v1/')) continue;
    for (const [verb, raw] of Object.entries(item as Record<string, unknown>)) {
      const method = verb.toUpperCase();
      if (!METHODS.has(method)) continue;
      const operation = raw as {
        'x-roles'?: string[];
        parameters?: { in: string; name: string; required?: boolean; schema?: SchemaShape }[];
        requestBody?: { content: Record<string, { schema?: SchemaShape }> };
      };
      const path = template.replace(/\{(\w+)\}/g, ':$1');
      const parameters = operation.parameters ?? [];
      const content = operation.requestBody?.content;
      const jsonSchema = content?.['application/json']?.schema;
      operations.push({
        method: method as HttpMethod,
        path,
        roles: operation['x-roles']?.filter((role): role is Role =>
          (ROLES as readonly string[]).includes(role),
        ),
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        query: parameters
          .filter((p) => p.in === 'query')
          .map((p) => ({
            name: p.name,
            required: p.required ?? false,
            schema: resolve(document, p.schema ?? {}),
          })),
        body: content
          ? {
              contentTypes: Object.keys(content),
              schema: jsonSchema ? resolve(document, jsonSchema) : undefined,
            }
          : undefined,
        label: `${method} ${path}`,
      });
    }
  }
  return operations;
}

/** Inlines $ref and allOf so generators see plain object schemas. */
function resolve(document: OpenAPIObject, schema: SchemaShape, depth = 0): SchemaShape {
  if (depth > 6) return {};
  if (schema.$ref) {
    const name = schema.$ref.split('/').pop() ?? '';
    const target: SchemaShape | undefined = document.components?.schemas?.[name];
    return target ? resolve(document, target, depth + 1) : {};
  }
  if (schema.allOf) {
    return schema.allOf
      .map((part) => resolve(document, part, depth + 1))
      .reduce((merged, part) => ({
        ...merged,
        ...part,
        properties: { ...merged.properties, ...part.properties },
        required: [...(merged.required ?? []), ...(part.required ?? [])],
      }));
  }
  return {
    ...schema,
    items: schema.items ? resolve(document, schema.items, depth + 1) : undefined,
    oneOf: schema.oneOf?.map((part) => resolve(document, part, depth + 1)),
    properties: schema.properties
      ? Object.fromEntries(
          Object.entries(schema.properties).map(([key, value]) => [
            key,
            resolve(document, value, depth + 1),
          ]),
        )
      : undefined,
  };
}

export interface RegisteredRoute {
  method: string;
  path: string;
}

/**
 * Every route the HTTP server answers, read from Fastify's route tree (so routes registered outside
 * Nest, such as the API docs, are included). HEAD twins of GET routes are left out.
 */
export function registeredRoutes(app: NestFastifyApplication): RegisteredRoute[] {
  const tree = app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false });
  const prefixes: string[] = [];
  const routes: RegisteredRoute[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)[├└]── (.*?)(?: \(([^)]*)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1].length / 4;
    const path = (prefixes[depth - 1] ?? '') + match[2];
    prefixes[depth] = path;
    prefixes.length = depth + 1;
    for (const method of (match[3] ?? '').split(',').map((m) => m.trim())) {
      if (METHODS.has(method)) routes.push({ method, path });
    }
  }
  return routes;
}

/** Fills a route template with values. */
export function fillPath(template: string, values: Record<string, string>): string {
  return template.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(values[name] ?? ''));
}
