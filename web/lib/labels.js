// Words for the values the API uses: a value's label comes from the catalog
// under a prefix ("need.lift"), a list of values becomes select or checkbox
// options, language codes become names. A value with no words in either
// catalog (a newer server, or a value added in C without its words) shows
// as the value itself in brackets, so it is seen and reported, never hidden.

import { has, language, t } from './i18n.js';
import { values } from './meta.js';

const warned = new Set();

// A value's label from the catalog ("need.lift"), or "[value]" with a
// console warning when neither catalog has one.
export function label(prefix, v) {
  const key = `${prefix}.${v}`;
  if (has(key)) return t(key);
  if (!warned.has(key)) {
    warned.add(key);
    console.warn(`i18n: no label "${key}"`);
  }
  return `[${v}]`;
}

// [{value, label}] for a select, radio or checkbox group.
export function options(prefix, list) {
  return list.map((v) => ({ value: v, label: label(prefix, v) }));
}

// Options for the server's value list name (GET /meta), labelled by prefix.
export function enumOptions(name, prefix) {
  return options(prefix, values(name));
}

// A role's display name.
export function roleLabel(role) {
  return label('role', role);
}

// "en" -> "English" in the UI language; anything else as typed.
export function languageName(code) {
  if (/^[a-z]{2,3}$/i.test(code)) {
    try {
      const name = new Intl.DisplayNames([language()], { type: 'language' }).of(code.toLowerCase());
      if (name && name.toLowerCase() !== code.toLowerCase()) return name;
    } catch {
      // Not a code Intl knows; show it as typed.
    }
  }
  return code;
}

// A programme language: a catalog name for sign languages, else Intl's.
export function progLanguage(code) {
  return has(`progLang.${code}`) ? t(`progLang.${code}`) : languageName(code);
}
