/*
 * "Get help now": crisis resources for the visitor's country, rendered on
 * the server as plain HTML so it works without logging in and without
 * JavaScript. Resources come from resources/crisis/<CC>.json, embedded.
 * The country comes from ?country=, else the region of Accept-Language;
 * every country is listed below the chosen one so nobody is left without a
 * number.
 */
#include <ctype.h>
#include <string.h>
#include <jansson.h>

#include "core/embedded.h"
#include "core/log.h"
#include "http/http.h"
#include "core/banned.h"

static json_t *countries; /* array of country objects, sorted by code */

int help_init(void)
{
	if (countries)
		return 0;
	countries = json_array();
	for (unsigned long i = 0; i < crisis_assets_count; i++) {
		json_error_t je;
		json_t *c =
		    json_loadb((const char *)crisis_assets[i].data, crisis_assets[i].len, 0, &je);
		if (!c || !json_is_string(json_object_get(c, "country")) ||
		    !json_is_array(json_object_get(c, "resources"))) {
			log_msg(LOG_ERROR, "crisis resource file %s is invalid: %s",
			        crisis_assets[i].name, je.text);
			json_decref(c);
			continue;
		}
		json_array_append_new(countries, c);
	}
	return json_array_size(countries) ? 0 : -1;
}

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static json_t *find_country(const char *code)
{
	size_t i;
	json_t *c;
	if (!code || strlen(code) != 2)
		return NULL;
	char up[3] = {(char)toupper((unsigned char)code[0]), (char)toupper((unsigned char)code[1]),
	              0};
	if (strcmp(up, "UK") == 0)
		up[1] = 'B', up[0] = 'G';
	json_array_foreach(countries, i, c) if (strcmp(str(c, "country"), up) == 0) return c;
	return NULL;
}

/* Finds the first region subtag in Accept-Language, e.g. "en-GB" -> "GB". */
static json_t *country_from_accept(const char *al)
{
	if (!al)
		return NULL;
	for (const char *p = al; *p; p++) {
		if ((*p == '-' || *p == '_') && isalpha((unsigned char)p[1]) &&
		    isalpha((unsigned char)p[2]) && !isalpha((unsigned char)p[3])) {
			char code[3] = {p[1], p[2], 0};
			json_t *c = find_country(code);
			if (c)
				return c;
		}
	}
	return NULL;
}

struct strings {
	const char *lang, *title, *intro, *emergency, *call, *text, *website, *hours, *other,
	    *choose, *back, *note;
};

static const struct strings en = {
    "en",
    "Get help now",
    "If you are in danger or might harm yourself, call your emergency number now. "
    "These services are free and confidential.",
    "Emergency",
    "Call",
    "Text",
    "Website",
    "Hours",
    "Other countries",
    "Choose your country",
    "Back to Hearth",
    "These lines are run by independent services, not by Hearth or your programme.",
};
static const struct strings es = {
    "es",
    "Ayuda inmediata",
    "Si estás en peligro o podrías hacerte daño, llama ahora a tu número de emergencias. "
    "Estos servicios son gratuitos y confidenciales.",
    "Emergencias",
    "Llamar",
    "Mensaje de texto",
    "Sitio web",
    "Horario",
    "Otros países",
    "Elige tu país",
    "Volver a Hearth",
    "Estas líneas las gestionan servicios independientes, no Hearth ni tu programa.",
};

static void tel_href(struct buf *out, const char *phone)
{
	for (const char *p = phone; *p; p++)
		if (isdigit((unsigned char)*p) || *p == '+')
			buf_append(out, p, 1);
}

static void render_country(struct buf *out, json_t *c, const struct strings *t, int level)
{
	size_t i;
	json_t *r;
	buf_printf(out, "<section class=\"help-country\" aria-labelledby=\"c-%s\">\n",
	           str(c, "country"));
	buf_printf(out, "<h%d id=\"c-%s\">", level, str(c, "country"));
	buf_html(out, str(c, "name"));
	buf_printf(out, "</h%d>\n", level);
	if (*str(c, "emergency")) {
		buf_printf(out, "<p class=\"crisis-emergency\"><strong>%s:</strong> <a href=\"tel:",
		           t->emergency);
		tel_href(out, str(c, "emergency"));
		buf_puts(out, "\">");
		buf_html(out, str(c, "emergency"));
		buf_puts(out, "</a></p>\n");
	}
	buf_puts(out, "<ul class=\"crisis-list\">\n");
	json_array_foreach(json_object_get(c, "resources"), i, r)
	{
		buf_printf(out, "<li><h%d>", level + 1);
		buf_html(out, str(r, "name"));
		buf_printf(out, "</h%d>", level + 1);
		if (*str(r, "description")) {
			buf_puts(out, "<p>");
			buf_html(out, str(r, "description"));
			buf_puts(out, "</p>");
		}
		if (*str(r, "phone")) {
			buf_printf(out, "<p class=\"crisis-call\">%s: <a href=\"tel:", t->call);
			tel_href(out, str(r, "phone"));
			buf_puts(out, "\">");
			buf_html(out, str(r, "phone"));
			buf_puts(out, "</a></p>");
		}
		if (*str(r, "text")) {
			buf_printf(out, "<p>%s: ", t->text);
			buf_html(out, str(r, "text"));
			buf_puts(out, "</p>");
		}
		if (*str(r, "hours")) {
			buf_printf(out, "<p>%s: ", t->hours);
			buf_html(out, str(r, "hours"));
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
	buf_puts(out, "</ul>\n</section>\n");
}

void help_render(struct buf *out, const char *country, const char *lang,
                 const char *accept_language)
{
	const struct strings *t = &en;
	if (lang ? strncmp(lang, "es", 2) == 0
	         : (accept_language && strncmp(accept_language, "es", 2) == 0))
		t = &es;
	json_t *chosen = find_country(country);
	if (!chosen)
		chosen = country_from_accept(accept_language);
	buf_printf(
	    out,
	    "<!doctype html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	    "<title>%s — Hearth</title>\n<link rel=\"stylesheet\" href=\"/app.css\">\n<link "
	    "rel=\"icon\" href=\"/favicon.svg\">\n"
	    "</head>\n<body class=\"help-page\">\n"
	    "<a class=\"skip-link\" href=\"#main\">%s</a>\n"
	    "<header class=\"help-header\"><p><a href=\"/\">%s</a></p>\n"
	    "<nav aria-label=\"Language\"><a href=\"/help?lang=en%s%s\" lang=\"en\">English</a> · "
	    "<a href=\"/help?lang=es%s%s\" lang=\"es\">Español</a></nav></header>\n"
	    "<main id=\"main\">\n<h1>%s</h1>\n<p class=\"help-intro\">%s</p>\n",
	    t->lang, t->title, t == &es ? "Saltar al contenido" : "Skip to content", t->back,
	    chosen ? "&amp;country=" : "", chosen ? str(chosen, "country") : "",
	    chosen ? "&amp;country=" : "", chosen ? str(chosen, "country") : "", t->title,
	    t->intro);
	buf_printf(out, "<nav aria-label=\"%s\" class=\"help-countries\"><p>%s:</p><ul>", t->choose,
	           t->choose);
	size_t i;
	json_t *c;
	json_array_foreach(countries, i, c)
	{
		buf_printf(out, "<li><a href=\"/help?country=%s&amp;lang=%s\"%s>",
		           str(c, "country"), t->lang, c == chosen ? " aria-current=\"page\"" : "");
		buf_html(out, str(c, "name"));
		buf_puts(out, "</a></li>");
	}
	buf_puts(out, "</ul></nav>\n");
	if (chosen) {
		render_country(out, chosen, t, 2);
		buf_printf(out, "<h2>%s</h2>\n", t->other);
	}
	json_array_foreach(countries, i, c) if (c != chosen)
	    render_country(out, c, t, chosen ? 3 : 2);
	buf_printf(out, "<p class=\"help-note\">%s</p>\n</main>\n</body>\n</html>\n", t->note);
}
