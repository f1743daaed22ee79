// Which catalog keys label the values of each list in GET /api/v1/meta's
// "enums": "artForm.*" means artForm.painting, artForm.music, ... Every
// value the server sends must have each of its keys in web/i18n/en.json and
// es.json (tests/api/meta.test.mjs checks, so a value added in C without
// words fails the build). Lists the UI never shows with catalog words are
// in UNLABELLED, with the reason; a list in neither fails the test too.
// No imports: the API test reads this file in Node.

export const ENUM_LABELS = {
  roles: ['role.*'],
  organisation_kinds: ['kind.*'],
  consent_purposes: ['purpose.*'],
  art_forms: ['artForm.*', 'interest.*'],
  venue_features: ['feature.*'],
  contact_methods: ['contact.*'],
  age_bands: ['age.*'],
  weekdays: ['day.*'],
  needs_mobility: ['need.*'],
  needs_sensory: ['need.*'],
  needs_neurodivergence: ['need.*'],
  consent_givers: ['givenBy.*'],
  consent_methods: ['method.*'],
  formats: ['format.*'],
  team_roles: ['teamRole.*'],
  roster_roles: ['rosterRole.*'],
  training_kinds: ['trainingKind.*'],
  plan_parts: ['pf.plan.*'],
  programme_statuses: ['progStatus.*'],
  staff_roles: ['role.*', 'staff.group.*'],
  round_statuses: ['roundStatus.*'],
  listening_questions: ['answer.q.*'],
  barrier_tags: ['barrier.*'],
  decision_kinds: ['decisionKind.*'],
  support_kinds: ['supportKind.*'],
  support_states: ['supportStatus.*'],
  attendance_marks: ['mark.*'],
  followup_actions: ['followupAction.*'],
  fit_codes: ['fit.*.ok', 'fit.*.no'],
};

export const UNLABELLED = {
  share_categories: 'shown only in the export page, which the server writes in words itself',
  programme_languages: 'named by Intl.DisplayNames; the sign languages Intl lacks have progLang.* keys',
  consent_languages: 'named by Intl.DisplayNames',
  theme_outcomes: 'a theme shows a sentence for its outcome (theme.acted, theme.notActed), not the value',
};
