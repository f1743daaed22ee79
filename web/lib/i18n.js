// Message catalogs: loads web/i18n/<lang>.json (flat key -> string), looks
// strings up by key, and fills the static shell's data-i18n elements.
// The chosen language is kept in localStorage and set on <html lang>.

export const LANGUAGES = ['en', 'es'];
const STORAGE_KEY = 'hearth.lang';

let fallback = null; // English, used for any key a catalog lacks
let messages = {};
let current = 'en';

async function loadCatalog(lang) {
  const res = await fetch(`/i18n/${lang}.json`, { credentials: 'same-origin' });
  if (!res.ok) throw new Error(`cannot load /i18n/${lang}.json: HTTP ${res.status}`);
  return res.json();
}

// The saved choice, else the browser's language if we have it, else English.
export function preferredLanguage() {
  let saved = null;
  try {
    saved = localStorage.getItem(STORAGE_KEY);
  } catch {
    // Storage can be disabled; the browser language is a fine default.
  }
  if (LANGUAGES.includes(saved)) return saved;
  const browser = (navigator.language || 'en').slice(0, 2).toLowerCase();
  return LANGUAGES.includes(browser) ? browser : 'en';
}

// Switches the UI language. remember=true stores the choice for next time.
export async function setLanguage(lang, { remember = false } = {}) {
  if (!LANGUAGES.includes(lang)) lang = 'en';
  if (!fallback) fallback = await loadCatalog('en');
  messages = lang === 'en' ? fallback : await loadCatalog(lang);
  current = lang;
  document.documentElement.lang = lang;
  // The help page is rendered by the server without JavaScript; tell it the language.
  const help = document.getElementById('get-help');
  if (help) help.setAttribute('href', `/help?lang=${lang}`);
  if (remember) {
    try {
      localStorage.setItem(STORAGE_KEY, lang);
    } catch {
      // Not fatal: the choice just won't survive a reload.
    }
  }
  applyStatic(document);
}

export function language() {
  return current;
}

// The region whose date and time formats the UI follows: the country of the
// person's organisation (set from GET /meta), '' for none.
let region = '';
export function setRegion(country) {
  region = /^[A-Za-z]{2}$/.test(country || '') ? country.toUpperCase() : '';
}

// The locale for dates, times and numbers: the UI language with the
// organisation's region ("en" + GB -> "en-GB", "es" + ES -> "es-ES"), or the
// language alone when there is no region or Intl does not take the pair.
export function locale() {
  if (!region) return current;
  try {
    return Intl.getCanonicalLocales(`${current}-${region}`)[0];
  } catch {
    return current;
  }
}

// The catalog string for n under key.one / key.other (Intl.PluralRules of
// the UI language), with {n} and params filled in.
export function plural(key, n, params = {}) {
  let form = 'other';
  try {
    form = new Intl.PluralRules(current).select(Number(n));
  } catch {
    // Unknown to Intl: "other" is right for most numbers.
  }
  const k = has(`${key}.${form}`) ? `${key}.${form}` : `${key}.other`;
  return t(k, { ...params, n });
}

export function has(key) {
  return key in messages || (fallback !== null && key in fallback);
}

// The string for key with {name} placeholders filled from params.
export function t(key, params = {}) {
  const s = messages[key] ?? fallback?.[key];
  if (s === undefined) {
    console.warn(`i18n: no string for "${key}"`);
    return key;
  }
  return s.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

// Translates elements marked data-i18n="key" (text) and
// data-i18n-aria-label="key" (accessible name) under root.
export function applyStatic(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-aria-label]')) {
    el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));
  }
}

// A date/time from the API (ISO string or Unix seconds) in the UI language.
export function formatDateTime(value) {
  if (value === null || value === undefined || value === '') return '';
  const ms = typeof value === 'number' ? (value < 1e12 ? value * 1000 : value) : Date.parse(value);
  if (Number.isNaN(ms)) return String(value);
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(ms));
}
