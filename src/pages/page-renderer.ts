import { Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppConfig } from 'src/config/app-config';
import type { Locale } from 'src/persons/person.entity';
import { TemplateStore } from 'src/templating/template-store';
import { templatesDir } from 'src/templating/templates-dir';

export type PageStrings = Record<string, Record<string, string> | string> & {
  errors: Record<string, string>;
  sign: Record<string, string>;
  manage: Record<string, string>;
};

/** Pages load nothing but their own stylesheet, and forms post only back to this service. */
export const PAGE_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

@Injectable()
export class PageRenderer {
  private readonly strings = new Map<Locale, PageStrings>();

  constructor(
    private readonly templates: TemplateStore,
    private readonly config: AppConfig,
  ) {}

  stringsFor(locale: Locale): PageStrings {
    let strings = this.strings.get(locale);
    if (!strings) {
      strings = JSON.parse(fs.readFileSync(path.join(templatesDir(), 'pages', 'i18n', `${locale}.json`), 'utf8')) as PageStrings;
      this.strings.set(locale, strings);
    }
    return strings;
  }

  labelFor(locale: Locale, channel: string): string | undefined {
    return this.templates.labelsFor(locale).channels[channel];
  }

  /** Renders templates/pages/<page>.hbs inside the layout and sends it with the page headers. */
  send(reply: FastifyReply, status: number, page: string, locale: Locale, title: string, context: object): FastifyReply {
    const t = this.stringsFor(locale);
    const org = { name: this.config.orgName };
    const body = this.templates.render(`pages/${page}.hbs`, { t, org, lang: locale, ...context });
    const html = this.templates.render('pages/layout.hbs', { t, org, lang: locale, title, body });
    return reply
      .status(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', PAGE_CSP)
      .header('cache-control', 'no-store')
      .send(html);
  }

  message(
    reply: FastifyReply,
    status: number,
    locale: Locale,
    heading: string,
    paragraphs: string[],
    link?: { url: string; label: string },
  ): FastifyReply {
    return this.send(reply, status, 'message', locale, heading, { heading, paragraphs, link: link ?? null });
  }

  /** The 404/410 pages of a link that cannot be used; nothing was changed. */
  linkProblem(reply: FastifyReply, locale: Locale, problem: 'unknown' | 'expired' | 'used'): FastifyReply {
    const t = this.stringsFor(locale).errors;
    const askNew = { url: '/me', label: t.askNewLink };
    switch (problem) {
      case 'unknown':
        return this.message(reply, 404, locale, t.notFoundTitle, [t.notFoundText], askNew);
      case 'expired':
        return this.message(reply, 410, locale, t.expiredTitle, [t.expiredText], askNew);
      case 'used':
        return this.message(reply, 410, locale, t.usedTitle, [t.usedText], askNew);
    }
  }
}
