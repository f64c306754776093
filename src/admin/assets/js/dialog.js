import { h } from './dom.js';

// Native <dialog> opened with showModal(): focus moves into it and stays there, Escape cancels,
// and the page behind is inert, as WAI-ARIA's dialog pattern asks.

/**
 * Asks before a destructive action. Resolves true only when the named action is chosen.
 * @param {string} question @param {string} action
 */
export function confirmAction(question, action) {
  return new Promise((resolve) => {
    const yes = h('button', { type: 'button', class: 'danger', value: 'yes' }, action);
    const no = h('button', { type: 'button', value: 'no' }, 'Cancel');
    const dialog = h(
      'dialog',
      { 'aria-labelledby': 'confirm-title', class: 'confirm' },
      h('h2', { id: 'confirm-title' }, 'Are you sure?'),
      h('p', {}, question),
      h('div', { class: 'actions' }, no, yes),
    );
    const close = (answer) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    yes.addEventListener('click', () => close(true));
    no.addEventListener('click', () => close(false));
    dialog.addEventListener('cancel', () => close(false));
    document.body.append(dialog);
    /** @type {HTMLDialogElement} */ (dialog).showModal();
    no.focus();
  });
}

/**
 * Shows a secret once (a client secret, a recovery code): it is never shown again, so the dialog
 * says so and offers the value selected for copying.
 * @param {string} title @param {string} label @param {string} secret
 */
export function showOnce(title, label, secret) {
  return new Promise((resolve) => {
    const value = h('input', {
      type: 'text',
      readonly: true,
      value: secret,
      'aria-label': label,
      class: 'secret',
    });
    const done = h('button', { type: 'button', class: 'primary' }, 'I have copied it');
    const dialog = h(
      'dialog',
      { 'aria-labelledby': 'once-title' },
      h('h2', { id: 'once-title' }, title),
      h('p', {}, `${label}: shown this once. Copy it now; it cannot be shown again.`),
      value,
      h('div', { class: 'actions' }, done),
    );
    const close = () => {
      dialog.close();
      dialog.remove();
      resolve(undefined);
    };
    done.addEventListener('click', close);
    dialog.addEventListener('cancel', close);
    document.body.append(dialog);
    /** @type {HTMLDialogElement} */ (dialog).showModal();
    /** @type {HTMLInputElement} */ (value).select();
  });
}
