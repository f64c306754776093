import type { FastifyRequest } from 'fastify';
import type { LoginGuards } from '../auth/index.ts';
import { AppError } from '../http/index.ts';
import { CAPTCHA_FIELD } from '../security/index.ts';
import { type FormBody, field } from './form.ts';
import { html } from './html.ts';
import { humanMessage } from './messages.ts';

// The captcha on the pages: the tenant's thresholds of failed sign-ins decide when one is due (the
// gate in auth's login guards); the pages then show the built-in ALTCHA widget, served from this
// origin (assets/captcha.js). A tenant using Turnstile, hCaptcha or reCAPTCHA would need the
// provider's script, which the pages never load: there the person is asked to wait instead.

const WAIT = 'Too many failed attempts from here. Wait a while, then try again.';

/** The widget's answer from a posted form, as the gate takes it. */
export const captchaSolution = (body: FormBody): string | undefined =>
  field(body, CAPTCHA_FIELD, 4096) || undefined;

/**
 * Whether the page should carry the widget: the next attempt for `email` from this address needs a
 * solution (asked as the gate asks, without one; `''` asks about the address alone) and the tenant
 * uses the built-in captcha.
 */
export async function showCaptcha(
  guards: LoginGuards,
  request: FastifyRequest,
  email: string,
): Promise<boolean> {
  if (request.tenantSettings.captcha.provider !== 'altcha') return false;
  try {
    await guards.requireCaptchaIfDue(
      { tenantId: request.tenant!.id, email, ip: request.ip },
      request.tenantSettings,
      undefined,
    );
    return false;
  } catch (error) {
    if (error instanceof AppError && error.code === 'IAM_ERR_CAPTCHA_REQUIRED') return true;
    throw error;
  }
}

/** The sentence for a refused attempt; a captcha refusal without a widget to solve asks for patience. */
export function refusalMessage(request: FastifyRequest, error: AppError): string {
  const captcha = error.code === 'IAM_ERR_CAPTCHA_REQUIRED' || error.code === 'IAM_ERR_CAPTCHA_INVALID';
  return captcha && request.tenantSettings.captcha.provider !== 'altcha' ? WAIT : humanMessage(error);
}

/**
 * The widget: a hidden field the solver fills and a status line it keeps current (announced politely).
 * The challenge URL is relative to the page, `/t/{tenant}/v1/captcha/challenge`.
 */
export const captchaWidget = () => html`<div class="captcha" data-challenge="v1/captcha/challenge">
<input type="hidden" name="${CAPTCHA_FIELD}" value="">
<p class="captcha-status" role="status">This page needs JavaScript for a short check that you are a person.</p>
</div>`;
