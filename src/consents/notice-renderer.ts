import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppConfig } from 'src/config/app-config';
import { ValidationFailed } from 'src/common/errors/domain-error';
import { ConsentScope, describeScope, escapeMarkdown } from 'src/consents/domain/scope-description';
import type { Locale } from 'src/persons/person.entity';
import { TemplateStore } from 'src/templating/template-store';
import { templatesDir } from 'src/templating/templates-dir';

export interface RenderedNotice {
  templateKey: string;
  templateVersion: number;
  locale: Locale;
  text: string;
  sha256: string;
}

/** Renders a consent notice from templates/consents/<key>/<version>/<locale>.md, to be frozen. */
@Injectable()
export class NoticeRenderer {
  constructor(
    private readonly templates: TemplateStore,
    private readonly config: AppConfig,
  ) {}

  latestVersion(templateKey: string, locale: Locale): number {
    const dir = path.join(templatesDir(), 'consents', templateKey);
    const versions = fs.existsSync(dir)
      ? fs
          .readdirSync(dir)
          .filter((name) => /^\d+$/.test(name) && fs.existsSync(path.join(dir, name, `${locale}.md`)))
          .map(Number)
      : [];
    if (versions.length === 0) throw ValidationFailed.field('templateKey', `no consent template "${templateKey}" in ${locale}`);
    return Math.max(...versions);
  }

  render(
    templateKey: string,
    locale: Locale,
    facts: { personName: string; purpose: string; coversAfterEmployment: boolean; scope: ConsentScope },
  ): RenderedNotice {
    const templateVersion = this.latestVersion(templateKey, locale);
    const scope = describeScope(facts.scope, locale, this.templates.labelsFor(locale));
    const text = this.templates.render(
      `consents/${templateKey}/${templateVersion}/${locale}.md`,
      {
        org: { name: this.config.orgName },
        person: { fullName: facts.personName },
        purpose: escapeMarkdown(facts.purpose),
        coversAfterEmployment: facts.coversAfterEmployment,
        meUrl: `${this.config.publicBaseUrl}/me`,
        ...scope,
        excludedUses: scope.excludedUses.map(escapeMarkdown),
      },
      { escape: false },
    );
    return { templateKey, templateVersion, locale, text, sha256: sha256Hex(text) };
  }
}

export function sha256Hex(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}
