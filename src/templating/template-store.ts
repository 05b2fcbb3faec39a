import { Injectable } from '@nestjs/common';
import Handlebars from 'handlebars';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Locale } from 'src/persons/person.entity';
import { templatesDir } from 'src/templating/templates-dir';

export type Labels = {
  channels: Record<string, string>;
  mediaTypes: Record<string, string>;
  statuses: Record<string, string>;
  territory: Record<string, string>;
  decisions: Record<string, string>;
};

type Render = (context: object) => string;

/** Compiles each template file once per process; templates live in templates/ beside src/. */
@Injectable()
export class TemplateStore {
  private readonly compiled = new Map<string, Render>();
  private readonly labels = new Map<Locale, Labels>();
  private readonly handlebars = Handlebars.create();

  constructor() {
    this.handlebars.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  }

  exists(relativePath: string): boolean {
    return fs.existsSync(path.join(templatesDir(), relativePath));
  }

  /** Renders templates/<relativePath>. `escape` is false for Markdown and plain-text output. */
  render(relativePath: string, context: object, { escape = true } = {}): string {
    const key = `${escape ? 'html' : 'text'}:${relativePath}`;
    let render = this.compiled.get(key);
    if (!render) {
      const source = fs.readFileSync(path.join(templatesDir(), relativePath), 'utf8');
      render = this.handlebars.compile(source, { noEscape: !escape, strict: true });
      this.compiled.set(key, render);
    }
    return render(context);
  }

  labelsFor(locale: Locale): Labels {
    let labels = this.labels.get(locale);
    if (!labels) {
      labels = JSON.parse(fs.readFileSync(path.join(templatesDir(), 'i18n', `${locale}.json`), 'utf8')) as Labels;
      this.labels.set(locale, labels);
    }
    return labels;
  }
}
