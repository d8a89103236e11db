import type { VerificationFact } from '../../activation/index.ts';
import { factLabel } from '../../activation/index.ts';
import { type Html, html, page } from './html.ts';

const factInput: Record<VerificationFact, { type: string; autocomplete: string; hint: string }> = {
  employeeId: { type: 'text', autocomplete: 'off', hint: 'As on your contract or offer letter.' },
  employeeHireDate: { type: 'date', autocomplete: 'off', hint: 'Your first day, for example 2026-03-10.' },
  personalEmail: { type: 'email', autocomplete: 'email', hint: 'The private address you gave HR.' },
  externalId: { type: 'text', autocomplete: 'off', hint: 'The reference HR gave you.' },
};

const messageBox = (message: Html | string | null, kind: 'error' | 'ok' = 'error') =>
  message ? html`<p class="${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${message}</p>` : html``;

export interface Step1View {
  userName: string;
  fact: VerificationFact;
  error?: string | null;
}

/** Step 1: user name, code and the verification fact. */
export function step1Page(v: Step1View): string {
  const fact = factInput[v.fact];
  return page(
    'Activate your account',
    html`<h1>Activate your account</h1>
<p>Enter the activation code you received and answer one question, so we know it is you.</p>
${messageBox(v.error ?? null)}
<form method="post" action="/activate" autocomplete="off">
<label for="userName">User name</label>
<input id="userName" name="userName" required maxlength="256" autocapitalize="none" spellcheck="false" value="${v.userName}">
<label for="code">Activation code</label>
<input id="code" name="code" required maxlength="100" autocapitalize="characters" spellcheck="false" aria-describedby="code-hint">
<p class="hint" id="code-hint">Upper or lower case, spaces and dashes do not matter.</p>
<label for="fact">${factLabel[v.fact]}</label>
<input id="fact" name="fact" type="${fact.type}" required maxlength="320" autocomplete="${fact.autocomplete}" aria-describedby="fact-hint">
<p class="hint" id="fact-hint">${fact.hint}</p>
<button type="submit">Continue</button>
</form>`,
  );
}

export interface Step2View {
  token: string;
  displayName: string | null;
  minLength: number;
  error?: string | null;
  reasons?: string[];
}

/** Step 2: the new password; the step-1 token travels in a hidden field. */
export function step2Page(v: Step2View): string {
  const reasons = v.reasons?.length
    ? html`<ul class="error" role="alert">${v.reasons.map((r) => html`<li>The password ${r}.</li>`)}</ul>`
    : html``;
  return page(
    'Choose your password',
    html`<h1>${v.displayName ? html`Welcome, ${v.displayName}` : 'Welcome'}</h1>
<p>Choose the password for your new account.</p>
${messageBox(v.error ?? null)}${reasons}
<form method="post" action="/activate/password">
<input type="hidden" name="token" value="${v.token}">
<label for="password">New password</label>
<input id="password" name="password" type="password" required minlength="${v.minLength}" maxlength="256" autocomplete="new-password" aria-describedby="rules">
<p class="hint" id="rules">At least ${v.minLength} characters. Not your name or user name, and not a common password. A few unrelated words make a good one.</p>
<label for="confirm">Repeat the password</label>
<input id="confirm" name="confirm" type="password" required maxlength="256" autocomplete="new-password">
<p class="error" id="mismatch" role="alert" hidden>The two passwords differ.</p>
<button type="submit">Activate my account</button>
</form>`,
  );
}

/** The end: activated. */
export function donePage(): string {
  return page(
    'Account activated',
    html`<h1>Your account is activated</h1>
${messageBox('You can now sign in with your user name and your new password.', 'ok')}
<p class="hint">You can close this page.</p>`,
  );
}
