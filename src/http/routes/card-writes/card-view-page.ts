import { Type } from 'typebox';
import { openCardView, type CardSecrets, type CardViewLanguage } from '../../../services/card-view.ts';
import type { App, AppDeps } from '../../app.ts';
import { CARD_VIEW_PATH } from './data-view.ts';

// The page a data_view link opens: PAN, expiry and CVV in the requested language, 460 × 504 px like Qonto's
// iframe. Never cached, never framed by another origin's scripts, never logged (the route logs nothing of
// the body, and the token in the URL is spent once the page is served).

const LABELS: Record<CardViewLanguage, { title: string; number: string; expiry: string; cvv: string; gone: string }> = {
  en: { title: 'Card details', number: 'Card number', expiry: 'Expiry date', cvv: 'CVV', gone: 'This link has expired or was already used.' },
  fr: { title: 'Détails de la carte', number: 'Numéro de carte', expiry: "Date d'expiration", cvv: 'CVV', gone: 'Ce lien a expiré ou a déjà été utilisé.' },
  de: { title: 'Kartendetails', number: 'Kartennummer', expiry: 'Ablaufdatum', cvv: 'CVV', gone: 'Dieser Link ist abgelaufen oder wurde bereits verwendet.' },
  it: { title: 'Dettagli della carta', number: 'Numero della carta', expiry: 'Data di scadenza', cvv: 'CVV', gone: 'Questo link è scaduto o è già stato usato.' },
  es: { title: 'Datos de la tarjeta', number: 'Número de tarjeta', expiry: 'Fecha de caducidad', cvv: 'CVV', gone: 'Este enlace ha caducado o ya se ha utilizado.' },
  pt: { title: 'Dados do cartão', number: 'Número do cartão', expiry: 'Data de validade', cvv: 'CVV', gone: 'Este link expirou ou já foi utilizado.' },
};

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(lang: CardViewLanguage, body: string, title: string): string {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${escape(title)}</title>`
    + '<style>body{font-family:system-ui,sans-serif;margin:0;width:460px;height:504px;display:flex;align-items:center;justify-content:center;background:#f6f6f6}'
    + '.card{background:#1d1d1b;color:#fff;border-radius:16px;padding:28px;width:360px}dt{font-size:12px;opacity:.7;margin-top:14px}'
    + 'dd{margin:4px 0 0;font-size:20px;font-family:ui-monospace,monospace;letter-spacing:1px}</style></head>'
    + `<body>${body}</body></html>`;
}

function cardPage(s: CardSecrets): string {
  const l = LABELS[s.language];
  const pan = s.pan.replace(/(\d{4})(?=\d)/g, '$1 ');
  const expiry = `${s.exp_month.padStart(2, '0')}/${s.exp_year.slice(-2)}`;
  return page(s.language, `<div class="card"><h1 style="font-size:16px;margin:0">${escape(l.title)}</h1>`
    + (s.embossed_name ? `<p style="margin:8px 0 0">${escape(s.embossed_name)}</p>` : '')
    + `<dl><dt>${escape(l.number)}</dt><dd id="pan">${pan}</dd><dt>${escape(l.expiry)}</dt><dd id="expiry">${expiry}</dd>`
    + `<dt>${escape(l.cvv)}</dt><dd id="cvv">${escape(s.cvv)}</dd></dl></div>`, l.title);
}

export function registerCardViewPage(app: App, deps: AppDeps): void {
  app.get(`${CARD_VIEW_PATH}/:token`, {
    schema: { hide: true, params: Type.Object({ token: Type.String({ maxLength: 100 }) }) },
    logLevel: 'warn',
    // Fastify answers HEAD by running the GET handler, which spends the single-use link: a link previewer's
    // HEAD left the user a 410. No HEAD route, so HEAD is a 404 and the link stays unopened.
    exposeHeadRoute: false,
  }, async (request, reply) => {
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'");
    const secrets = await openCardView(deps.engine.db, deps.clock, request.params.token);
    if (!secrets) return reply.code(410).type('text/html; charset=utf-8').send(page('en', `<p>${LABELS.en.gone}</p>`, LABELS.en.title));
    return reply.type('text/html; charset=utf-8').send(cardPage(secrets));
  });
}
