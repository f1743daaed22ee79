/*
 * "Get help now": crisis resources for the visitor's country, rendered on
 * the server as plain HTML so it works without logging in and without
 * JavaScript. Resources come from resources/crisis/<CC>.json, embedded.
 *
 * The page opens on the first country it can be sure of: the visitor's own
 * choice (?country=), the logged-in user's organisation's country, the
 * deployment's default (`hearth init --default-country`), then a region in
 * Accept-Language. There is deliberately no fixed fallback: a guess at the
 * wrong country shows numbers that do not work where the person is, so when
 * nothing matches the page shows a country chooser and international
 * guidance instead. The other countries are listed below the chosen one.
 *
 * Country names, service descriptions and opening hours carry English and
 * Spanish in the files; anything shown in a language other than the page's
 * (service names, text keywords, a missing translation) is marked with
 * `lang`, so screen readers pronounce it correctly.
 */
#include <ctype.h>
#include <string.h>
#include <jansson.h>

#include "core/embedded.h"
#include "core/err.h"
#include "core/log.h"
#include "http/http.h"
#include "core/banned.h"

static json_t *countries; /* array of country objects, in file (code) order */

/* Every assigned ISO 3166-1 alpha-2 code (249), so that a country setting
 * can be any real country, with or without lines in resources/crisis/. */
static const char iso3166[] =
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO "
    "BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ "
    "DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP "
    "GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG "
    "KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML "
    "MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE "
    "PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL "
    "SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM "
    "US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* A translatable field is either a string in the file's own language or an
 * object of strings keyed by language ("en", "es"). */
static bool text_field_valid(json_t *v)
{
	const char *k;
	json_t *x;
	if (json_is_string(v))
		return true;
	if (!json_is_object(v) || !json_is_string(json_object_get(v, "en")))
		return false;
	json_object_foreach(v, k, x) if (!json_is_string(x)) return false;
	return true;
}

/* Checks one country file's shape, so rendering can take it as given. */
static bool country_valid(json_t *c)
{
	size_t i;
	json_t *r, *n;
	if (!json_is_string(json_object_get(c, "country")) ||
	    !text_field_valid(json_object_get(c, "name")) ||
	    !json_is_array(json_object_get(c, "emergency")) ||
	    !json_is_array(json_object_get(c, "resources")))
		return false;
	json_array_foreach(json_object_get(c, "emergency"), i,
	                   n) if (!json_is_string(n)) return false;
	json_array_foreach(json_object_get(c, "resources"), i, r)
	{
		if (!json_is_string(json_object_get(r, "name")))
			return false;
		if (json_object_get(r, "description") &&
		    !text_field_valid(json_object_get(r, "description")))
			return false;
		if (json_object_get(r, "hours") && !json_is_null(json_object_get(r, "hours")) &&
		    !text_field_valid(json_object_get(r, "hours")))
			return false;
	}
	return true;
}

int help_init(void)
{
	if (countries)
		return 0;
	countries = json_array();
	for (unsigned long i = 0; i < crisis_assets_count; i++) {
		json_error_t je;
		json_t *c =
		    json_loadb((const char *)crisis_assets[i].data, crisis_assets[i].len, 0, &je);
		if (!c || !country_valid(c)) {
			log_msg(LOG_ERROR, "crisis resource file %s is invalid: %s",
			        crisis_assets[i].name, c ? "unexpected shape" : je.text);
			json_decref(c);
			continue;
		}
		json_array_append_new(countries, c);
	}
	return json_array_size(countries) ? 0 : -1;
}

int help_country_normalise(const char *s, char out[3])
{
	out[0] = '\0';
	if (!s || strlen(s) != 2 || !isalpha((unsigned char)s[0]) || !isalpha((unsigned char)s[1]))
		return -HEARTH_EINVAL;
	char up[3] = {(char)toupper((unsigned char)s[0]), (char)toupper((unsigned char)s[1]), 0};
	/* "UK" is reserved in ISO 3166 for the United Kingdom, whose code is GB. */
	if (strcmp(up, "UK") == 0)
		up[0] = 'G', up[1] = 'B';
	for (const char *p = iso3166; *p; p += p[2] ? 3 : 2) {
		if (p[0] == up[0] && p[1] == up[1]) {
			memcpy(out, up, 3);
			return 0;
		}
	}
	return -HEARTH_EINVAL;
}

static json_t *find_country(const char *code)
{
	size_t i;
	json_t *c;
	char up[3];
	if (help_country_normalise(code, up) != 0)
		return NULL;
	json_array_foreach(countries, i, c) if (strcmp(str(c, "country"), up) == 0) return c;
	return NULL;
}

bool help_country_has_lines(const char *code)
{
	return find_country(code) != NULL;
}

const char *help_country_at(size_t i)
{
	json_t *c = json_array_get(countries, i);
	return c ? str(c, "country") : NULL;
}

/* Finds the first region subtag in Accept-Language that has lines, e.g.
 * "es-MX, en-GB;q=0.8" -> GB when there are none for MX. */
static json_t *country_from_accept(const char *al)
{
	if (!al)
		return NULL;
	for (const char *p = al; *p; p++) {
		if ((*p == '-' || *p == '_') && isalpha((unsigned char)p[1]) &&
		    isalpha((unsigned char)p[2]) && !isalnum((unsigned char)p[3])) {
			char code[3] = {p[1], p[2], 0};
			json_t *c = find_country(code);
			if (c)
				return c;
		}
	}
	return NULL;
}

struct strings {
	const char *lang, *title, *intro, *emergency, * or, *call, *text, *text_to, *text_plain,
	    *website, *hours, *other, *choose, *back, *note, *skip, *language, *none_title,
	    *none_intro, *none_112, *none_directory, *none_directory_link, *missing;
};

static const struct strings en = {
    .lang = "en",
    .title = "Get help now",
    .intro = "If you are in danger or might harm yourself, call your emergency number now. "
             "These services are free and confidential.",
    .emergency = "Emergency",
    .or = "or",
    .call = "Call",
    .text = "Text",
    .text_to = "to",
    .text_plain = "Text",
    .website = "Website",
    .hours = "Hours",
    .other = "Other countries",
    .choose = "Choose your country",
    .back = "Back to Hearth",
    .note = "These lines are run by independent services, not by Hearth or your programme.",
    .skip = "Skip to content",
    .language = "Language",
    .none_title = "Wherever you are",
    .none_intro = "We don't know which country you are in. Numbers differ from country to "
                  "country, so choose yours above.",
    .none_112 = "If you or someone else is in danger now, call your local emergency number. "
                "From a mobile phone, this number reaches emergency services in every "
                "European Union country and many others:",
    .none_directory = "To find a free helpline in another country, look it up in the "
                      "international directory",
    .none_directory_link = "Find A Helpline",
    .missing = "We don't have a list of crisis lines for the country set here (%s) yet.",
};
static const struct strings es = {
    .lang = "es",
    .title = "Ayuda inmediata",
    .intro = "Si estás en peligro o podrías hacerte daño, llama ahora a tu número de "
             "emergencias. Estos servicios son gratuitos y confidenciales.",
    .emergency = "Emergencias",
    .or = "o",
    .call = "Llamar",
    .text = "Envía",
    .text_to = "al",
    .text_plain = "Envía un mensaje al",
    .website = "Sitio web",
    .hours = "Horario",
    .other = "Otros países",
    .choose = "Elige tu país",
    .back = "Volver a Hearth",
    .note = "Estas líneas las gestionan servicios independientes, no Hearth ni tu programa.",
    .skip = "Saltar al contenido",
    .language = "Idioma",
    .none_title = "Estés donde estés",
    .none_intro = "No sabemos en qué país estás. Los números cambian de un país a otro, así "
                  "que elige el tuyo arriba.",
    .none_112 = "Si tú u otra persona estáis en peligro ahora, llama a tu número local de "
                "emergencias. Desde un móvil, este número llega a los servicios de "
                "emergencia de todos los países de la Unión Europea y de muchos otros:",
    .none_directory = "Para encontrar una línea de ayuda gratuita en otro país, búscala en "
                      "el directorio internacional",
    .none_directory_link = "Find A Helpline",
    .missing = "Todavía no tenemos una lista de líneas de crisis para el país configurado "
               "aquí (%s).",
};

/* A field's text in the page's language when the file has it, else in
 * English, else in the file's own language; *lang says which it is. */
static const char *field_text(json_t *c, json_t *v, const struct strings *t, const char **lang)
{
	*lang = *str(c, "lang") ? str(c, "lang") : "en";
	if (json_is_string(v))
		return json_string_value(v);
	if (!json_is_object(v))
		return "";
	if (json_is_string(json_object_get(v, t->lang))) {
		*lang = t->lang;
		return json_string_value(json_object_get(v, t->lang));
	}
	*lang = "en";
	return str(v, "en");
}

/* Writes s, HTML-escaped, inside a span marking its language when it is
 * not the page's. */
static void put_lang(struct buf *out, const char *s, const char *lang, const struct strings *t)
{
	bool other = strcmp(lang, t->lang) != 0;
	if (other) {
		buf_puts(out, "<span lang=\"");
		buf_html(out, lang);
		buf_puts(out, "\">");
	}
	buf_html(out, s);
	if (other)
		buf_puts(out, "</span>");
}

static void put_field(struct buf *out, json_t *c, json_t *v, const struct strings *t)
{
	const char *lang;
	const char *s = field_text(c, v, t, &lang);
	put_lang(out, s, lang, t);
}

/* Digits and a leading + only: what a tel: or sms: URI needs. */
static void dial_href(struct buf *out, const char *phone)
{
	for (const char *p = phone; *p; p++)
		if (isdigit((unsigned char)*p) || *p == '+')
			buf_append(out, p, 1);
}

static void render_resource(struct buf *out, json_t *c, json_t *r, const struct strings *t,
                            int level)
{
	const char *file_lang = *str(c, "lang") ? str(c, "lang") : "en";
	buf_printf(out, "<li><h%d>", level);
	put_lang(out, str(r, "name"), file_lang, t);
	buf_printf(out, "</h%d>", level);
	if (json_object_get(r, "description")) {
		buf_puts(out, "<p>");
		put_field(out, c, json_object_get(r, "description"), t);
		buf_puts(out, "</p>");
	}
	if (*str(r, "phone")) {
		buf_printf(out, "<p class=\"crisis-call\">%s: <a href=\"tel:", t->call);
		dial_href(out, str(r, "phone"));
		buf_puts(out, "\">");
		buf_html(out, str(r, "phone"));
		buf_puts(out, "</a></p>");
	}
	if (*str(r, "sms")) {
		/* sms:NUMBER?body=KEYWORD (RFC 5724) opens the messages app with the
		 * keyword filled in; the words say it too, for phones that don't. */
		buf_puts(out, "<p class=\"crisis-text\"><a href=\"sms:");
		dial_href(out, str(r, "sms"));
		if (*str(r, "sms_keyword")) {
			buf_puts(out, "?body=");
			buf_html(out, str(r, "sms_keyword"));
			buf_printf(out, "\">%s ", t->text);
			put_lang(out, str(r, "sms_keyword"), file_lang, t);
			buf_printf(out, " %s ", t->text_to);
		} else {
			buf_printf(out, "\">%s ", t->text_plain);
		}
		buf_html(out, str(r, "sms"));
		buf_puts(out, "</a></p>");
	}
	json_t *hours = json_object_get(r, "hours");
	if (hours && !json_is_null(hours)) {
		buf_printf(out, "<p>%s: ", t->hours);
		put_field(out, c, hours, t);
		buf_puts(out, "</p>");
	}
	const char *url = str(r, "url");
	if (strncmp(url, "https://", 8) == 0) {
		buf_puts(out, "<p><a href=\"");
		buf_html(out, url);
		buf_printf(out, "\" rel=\"noopener noreferrer\">%s: ", t->website);
		buf_html(out, url + 8);
		buf_puts(out, "</a></p>");
	}
	buf_puts(out, "</li>\n");
}

static void render_country(struct buf *out, json_t *c, const struct strings *t, int level)
{
	size_t i;
	json_t *r, *n;
	buf_printf(out, "<section class=\"help-country\" aria-labelledby=\"c-%s\">\n",
	           str(c, "country"));
	buf_printf(out, "<h%d id=\"c-%s\">", level, str(c, "country"));
	put_field(out, c, json_object_get(c, "name"), t);
	buf_printf(out, "</h%d>\n", level);
	json_t *em = json_object_get(c, "emergency");
	if (json_array_size(em)) {
		buf_printf(out, "<p class=\"crisis-emergency\"><strong>%s:</strong> ",
		           t->emergency);
		json_array_foreach(em, i, n)
		{
			if (i)
				buf_printf(out, " %s ", t->or);
			buf_puts(out, "<a href=\"tel:");
			dial_href(out, json_string_value(n));
			buf_puts(out, "\">");
			buf_html(out, json_string_value(n));
			buf_puts(out, "</a>");
		}
		buf_puts(out, "</p>\n");
	}
	buf_puts(out, "<ul class=\"crisis-list\">\n");
	json_array_foreach(json_object_get(c, "resources"), i, r)
	    render_resource(out, c, r, t, level + 1);
	buf_puts(out, "</ul>\n</section>\n");
}

/* The countries in the order of their names in the page's language. */
static size_t sorted_countries(const struct strings *t, json_t **order, size_t max)
{
	size_t n = 0, i;
	json_t *c;
	const char *la, *lb;
	json_array_foreach(countries, i, c)
	{
		if (n == max)
			break;
		size_t j = n++;
		const char *name = field_text(c, json_object_get(c, "name"), t, &la);
		while (j > 0 && strcmp(field_text(order[j - 1],
		                                  json_object_get(order[j - 1], "name"), t, &lb),
		                       name) > 0) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = c;
	}
	return n;
}

void help_render(struct buf *out, const struct help_request *hr)
{
	const struct strings *t = &en;
	const char *lang = hr->lang, *al = hr->accept_language;
	if (lang ? strncmp(lang, "es", 2) == 0 : (al && strncmp(al, "es", 2) == 0))
		t = &es;
	/* The first country we can be sure of; see the opening comment. A
	 * configured country without lines is said so, then the browser's
	 * region is tried. */
	const char *source = "none";
	const char *home =
	    hr->org_country && *hr->org_country ? hr->org_country : hr->default_country;
	const char *home_source = hr->org_country && *hr->org_country ? "organisation" : "default";
	char missing[3] = "";
	json_t *chosen = find_country(hr->country);
	if (chosen) {
		source = "choice";
	} else if (home && *home && (chosen = find_country(home)) != NULL) {
		source = home_source;
	} else {
		if (home && *home)
			help_country_normalise(home, missing);
		if ((chosen = country_from_accept(al)) != NULL)
			source = "browser";
	}
	const char *cc = chosen ? str(chosen, "country") : "";
	buf_printf(
	    out,
	    "<!doctype html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	    "<title>%s — Hearth</title>\n<link rel=\"stylesheet\" href=\"/app.css\">\n<link "
	    "rel=\"icon\" href=\"/favicon.svg\">\n"
	    "</head>\n<body class=\"help-page\">\n"
	    "<a class=\"skip-link\" href=\"#main\">%s</a>\n"
	    "<header class=\"help-header\"><p><a href=\"/\">%s</a></p>\n"
	    "<nav aria-label=\"%s\"><a href=\"/help?lang=en%s%s\" lang=\"en\">English</a> · "
	    "<a href=\"/help?lang=es%s%s\" lang=\"es\">Español</a></nav></header>\n"
	    "<main id=\"main\" data-country=\"%s\" data-country-source=\"%s\">\n<h1>%s</h1>\n"
	    "<p class=\"help-intro\">%s</p>\n",
	    t->lang, t->title, t->skip, t->back, t->language, chosen ? "&amp;country=" : "", cc,
	    chosen ? "&amp;country=" : "", cc, cc, source, t->title, t->intro);
	if (*missing) {
		/* t->missing holds one %s for the code; not used as a format. */
		const char *at = strstr(t->missing, "%s");
		buf_puts(out, "<p class=\"help-missing\">");
		buf_append(out, t->missing, (size_t)(at - t->missing));
		buf_puts(out, missing);
		buf_puts(out, at + 2);
		buf_puts(out, "</p>\n");
	}
	buf_printf(out, "<nav aria-label=\"%s\" class=\"help-countries\"><p>%s:</p><ul>", t->choose,
	           t->choose);
	json_t *order[256];
	size_t n = sorted_countries(t, order, sizeof order / sizeof order[0]);
	for (size_t i = 0; i < n; i++) {
		buf_printf(out, "<li><a href=\"/help?country=%s&amp;lang=%s\"%s>",
		           str(order[i], "country"), t->lang,
		           order[i] == chosen ? " aria-current=\"page\"" : "");
		put_field(out, order[i], json_object_get(order[i], "name"), t);
		buf_puts(out, "</a></li>");
	}
	buf_puts(out, "</ul></nav>\n");
	if (chosen) {
		render_country(out, chosen, t, 2);
		buf_printf(out, "<h2>%s</h2>\n", t->other);
		for (size_t i = 0; i < n; i++)
			if (order[i] != chosen)
				render_country(out, order[i], t, 3);
	} else {
		/* No fixed fallback country: guidance that holds anywhere. */
		buf_printf(out,
		           "<section class=\"help-international\" aria-labelledby=\"c-none\">\n"
		           "<h2 id=\"c-none\">%s</h2>\n<p>%s</p>\n"
		           "<p class=\"crisis-emergency\">%s <a href=\"tel:112\">112</a></p>\n"
		           "<p>%s: <a href=\"https://findahelpline.com\" rel=\"noopener "
		           "noreferrer\" lang=\"en\">%s</a></p>\n</section>\n",
		           t->none_title, t->none_intro, t->none_112, t->none_directory,
		           t->none_directory_link);
	}
	buf_printf(out, "<p class=\"help-note\">%s</p>\n</main>\n</body>\n</html>\n", t->note);
}
