import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PublicRoute } from 'src/common/auth/access.decorator';
import { DomainError } from 'src/common/errors/domain-error';
import { isChannel } from 'src/consents/domain/consent-scope';
import type { Locale } from 'src/persons/person.entity';
import { csrfIsValid, newCsrfToken } from 'src/pages/csrf';
import { PageRenderer } from 'src/pages/page-renderer';
import { LinkProblem, PersonPagesService, SignFormInvalid, SignView } from 'src/pages/person-pages.service';
import { templatesDir } from 'src/templating/templates-dir';

/** Per client address: link pages are cheap to guess at, so guessing is slowed down. */
const LINK_RATE = { rateLimit: { max: 60, timeWindow: '1 minute' } };
const ME_RATE = { rateLimit: { max: 5, timeWindow: '15 minutes' } };

type FormBody = Record<string, unknown>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Server-rendered pages for employees: no account, no JavaScript, readable on a phone. */
@ApiExcludeController()
@Controller()
export class PersonPagesController {
  private stylesheet: Buffer | undefined;

  constructor(
    private readonly pages: PersonPagesService,
    private readonly renderer: PageRenderer,
  ) {}

  @Get('assets/pages.css')
  @PublicRoute()
  css(@Res() reply: FastifyReply): FastifyReply {
    this.stylesheet ??= fs.readFileSync(path.join(templatesDir(), 'pages', 'pages.css'));
    return reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(this.stylesheet);
  }

  @Get('s/:token')
  @PublicRoute()
  @RouteConfig(LINK_RATE)
  async sign(@Param('token') token: string, @Res() reply: FastifyReply): Promise<FastifyReply> {
    return this.handle(reply, async () => {
      const view = await this.pages.openSignLink(token);
      return this.sendSignPage(reply, 200, view, { errors: [], fullName: '', read: false });
    });
  }

  @Post('s/:token/accept')
  @PublicRoute()
  @RouteConfig(LINK_RATE)
  async accept(
    @Param('token') token: string,
    @Body() body: FormBody,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    return this.handle(reply, async () => {
      if (!csrfIsValid(request)) return this.csrfProblem(reply);
      try {
        const { manageToken, consentId } = await this.pages.accept(token, body ?? {}, {
          ip: request.ip,
          userAgent: request.headers['user-agent'] ?? null,
        });
        return reply.redirect(`/m/${manageToken}?done=granted&consent=${consentId}`, 303);
      } catch (error) {
        if (!(error instanceof SignFormInvalid)) throw error;
        return this.sendSignPage(reply, 400, error.view, { errors: error.problems, fullName: error.fullName, read: error.read });
      }
    });
  }

  @Post('s/:token/decline')
  @PublicRoute()
  @RouteConfig(LINK_RATE)
  async decline(
    @Param('token') token: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    return this.handle(reply, async () => {
      if (!csrfIsValid(request)) return this.csrfProblem(reply);
      const locale = await this.pages.decline(token);
      const t = this.renderer.stringsFor(locale).declined as Record<string, string>;
      return this.renderer.message(reply, 200, locale, t.title, [t.text]);
    });
  }

  @Get('m/:token')
  @PublicRoute()
  @RouteConfig(LINK_RATE)
  async manage(
    @Param('token') token: string,
    @Query('done') done: string | undefined,
    @Query('consent') doneConsentId: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    return this.handle(reply, async () => {
      const { person, consents } = await this.pages.manageView(token);
      const t = this.renderer.stringsFor(person.locale).manage;
      // The evidence of what was just done: the grant's PDF, or the latest withdrawal receipt.
      const documents = consents.find((c) => c.id === doneConsentId)?.documents ?? [];
      const grantUrl = documents.find((d) => d.kind !== 'withdrawal')?.url ?? null;
      const receiptUrl = documents.filter((d) => d.kind === 'withdrawal').pop()?.url ?? null;
      const banner =
        done === 'granted'
          ? { title: t.grantedTitle, text: t.grantedText, documentUrl: grantUrl, documentLabel: t.downloadEvidence }
          : done === 'withdrawn'
            ? { title: t.withdrawnTitle, text: t.withdrawnText, documentUrl: receiptUrl, documentLabel: t.downloadReceipt }
            : null;
      return this.renderer.send(reply, 200, 'manage', person.locale, t.title, {
        done: banner,
        consents,
        manageUrl: this.pages.manageUrl(token),
      });
    });
  }

  @Get('m/:token/consents/:consentId/withdraw')
  @PublicRoute()
  @RouteConfig(LINK_RATE)
  async confirmWithdrawal(
    @Param('token') token: string,
    @Param('consentId') consentId: string,
    @Query('channel') channel: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    return this.handle(reply, async () => {
      if (!/^[0-9a-f-]{36}$/i.test(consentId) || (channel !== undefined && !isChannel(channel))) throw new LinkProblem('unknown');
      const { consent, locale } = await this.pages.managedConsent(token, consentId);
      const t = this.renderer.stringsFor(locale).withdraw as unknown as Record<string, string>;
      return this.renderer.send(reply, 200, 'withdraw-confirm', locale, t.title, {
        purpose: consent.purpose,
        all: channel === undefined,
        channel: channel ?? null,
        channelLabel: channel ? (this.renderer.labelFor(locale, channel) ?? channel) : null,
        action: `/m/${token}/consents/${consentId}/withdraw`,
        backUrl: `/m/${token}`,
        csrf: newCsrfToken(reply),
      });
    });
  }

  @Post('m/:token/consents/:consentId/withdraw')
  @PublicRoute()
  @RouteConfig(LINK_RATE)
  async withdraw(
    @Param('token') token: string,
    @Param('consentId') consentId: string,
    @Body() body: FormBody,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    return this.handle(reply, async () => {
      if (!csrfIsValid(request)) return this.csrfProblem(reply);
      if (!/^[0-9a-f-]{36}$/i.test(consentId)) throw new LinkProblem('unknown');
      const channel = typeof body?.channel === 'string' && body.channel !== '' ? body.channel : undefined;
      await this.pages.withdraw(token, consentId, channel);
      return reply.redirect(`/m/${token}?done=withdrawn&consent=${consentId}`, 303);
    });
  }

  @Get('m/:token/consents/:consentId/documents/:documentId.pdf')
  @PublicRoute()
  @RouteConfig(LINK_RATE)
  async document(
    @Param('token') token: string,
    @Param('consentId') consentId: string,
    @Param('documentId') documentId: string,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    return this.handle(reply, async () => {
      if (!UUID.test(consentId) || !UUID.test(documentId)) throw new LinkProblem('unknown');
      const { pdf, filename } = await this.pages.managedDocument(token, consentId, documentId);
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `attachment; filename="${filename}"`)
        .header('cache-control', 'no-store')
        .send(pdf);
    });
  }

  @Get('me')
  @PublicRoute()
  me(@Query('lang') lang: string | undefined, @Res() reply: FastifyReply): FastifyReply {
    const locale = pageLocale(lang);
    const t = this.renderer.stringsFor(locale).me as unknown as Record<string, string>;
    return this.renderer.send(reply, 200, 'me', locale, t.title, { csrf: newCsrfToken(reply), sent: false, error: null });
  }

  @Post('me')
  @PublicRoute()
  @RouteConfig(ME_RATE)
  async sendManageLink(
    @Query('lang') lang: string | undefined,
    @Body() body: FormBody,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const locale = pageLocale(lang);
    const t = this.renderer.stringsFor(locale).me as unknown as Record<string, string>;
    if (!csrfIsValid(request)) return this.csrfProblem(reply, locale);
    const email = typeof body?.email === 'string' ? body.email : '';
    try {
      await this.pages.sendManageLink(email);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return this.renderer.send(reply, 400, 'me', locale, t.title, { csrf: newCsrfToken(reply), sent: false, error: t.invalid });
    }
    return this.renderer.send(reply, 200, 'me', locale, t.title, { sent: true, csrf: null, error: null });
  }

  private sendSignPage(
    reply: FastifyReply,
    status: number,
    view: SignView,
    form: { errors: string[]; fullName: string; read: boolean },
  ): FastifyReply {
    const t = this.renderer.stringsFor(view.locale).sign;
    return this.renderer.send(reply, status, 'sign', view.locale, t.title, { ...view, ...form, csrf: newCsrfToken(reply) });
  }

  private csrfProblem(reply: FastifyReply, locale: Locale = 'fr'): FastifyReply {
    const t = this.renderer.stringsFor(locale).errors;
    return this.renderer.message(reply, 403, locale, t.csrfTitle, [t.csrfText]);
  }

  /** Link problems become their page (404, 409 or 410); nothing was changed. */
  private async handle(reply: FastifyReply, work: () => Promise<FastifyReply>): Promise<FastifyReply> {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof LinkProblem) && !isAnsweredConflict(error)) throw error;
      const problem = error instanceof LinkProblem ? error : new LinkProblem('answered');
      if (problem.problem === 'answered') {
        const t = this.renderer.stringsFor(problem.locale).errors;
        return this.renderer.message(reply, 409, problem.locale, t.usedTitle, [t.usedText], { url: '/me', label: t.askNewLink });
      }
      return this.renderer.linkProblem(reply, problem.locale, problem.problem);
    }
  }
}

function isAnsweredConflict(error: unknown): boolean {
  return error instanceof DomainError && (error.code === 'CONSENT_NOT_PENDING' || error.code === 'CONSENT_NOT_GRANTED');
}

function pageLocale(lang: string | undefined): Locale {
  return lang === 'en' ? 'en' : 'fr';
}
