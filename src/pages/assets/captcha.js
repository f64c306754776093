// The built-in captcha, solved in this browser so no third party is involved: an ALTCHA proof of work
// (https://altcha.org, challenge format v1). Find the number n ≤ maxnumber whose SHA-256(salt + n),
// in hex, is the challenge, and put {algorithm, challenge, number, salt, signature} as base64 JSON in
// the form's hidden field. The submit button waits for it; without this script the form still posts
// and the server says why it refused. crypto.subtle exists in secure contexts only (https, localhost).

// Digests asked for at once: crypto.subtle answers asynchronously, so one at a time would mostly wait.
const BATCH = 256;

const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');

async function solve(challenge) {
  const encoder = new TextEncoder();
  for (let start = 0; start <= challenge.maxnumber; start += BATCH) {
    const numbers = [];
    for (let n = start; n < start + BATCH && n <= challenge.maxnumber; n++) numbers.push(n);
    const digests = await Promise.all(
      numbers.map((n) => crypto.subtle.digest(challenge.algorithm, encoder.encode(challenge.salt + n))),
    );
    const found = digests.findIndex((digest) => hex(digest) === challenge.challenge);
    if (found !== -1) return numbers[found];
  }
  return undefined;
}

async function run(box) {
  const solution = box.querySelector('input[type=hidden]');
  const status = box.querySelector('[role=status]');
  const submit = box.closest('form')?.querySelector('button[type=submit]');
  const say = (text) => {
    status.textContent = text;
  };
  if (!globalThis.crypto?.subtle) {
    say('This check needs a secure (https) connection.');
    return;
  }
  if (submit) submit.disabled = true;
  say('Checking that you are a person. This takes a few seconds.');
  try {
    const response = await fetch(box.dataset.challenge, { cache: 'no-store', credentials: 'same-origin' });
    if (!response.ok) throw new Error(`challenge answered ${response.status}`);
    const challenge = await response.json();
    const number = await solve(challenge);
    if (number === undefined) throw new Error('no number solves the challenge');
    const { algorithm, salt, signature } = challenge;
    solution.value = btoa(
      JSON.stringify({ algorithm, challenge: challenge.challenge, number, salt, signature }),
    );
    say('Done: you can continue.');
  } catch {
    say('The check could not run. Reload the page to try again.');
  } finally {
    if (submit) submit.disabled = false;
  }
}

for (const box of document.querySelectorAll('.captcha[data-challenge]')) run(box);
