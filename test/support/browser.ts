/**
 * What the tests send as `User-Agent`: a current desktop browser. Sign-in and registration refuse
 * automation user agents (the bot filter), and the tests stand for people using a browser.
 */
export const BROWSER_USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
