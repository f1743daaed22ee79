/*
 * Unit tests for one CSV field (src/programs/exports.h): RFC 4180 quoting
 * (comma, double quote, CR, LF; quotes doubled) and formula injection
 * neutralised (a leading =, +, -, @, tab or CR gets an apostrophe, and the
 * field is quoted so the apostrophe stays part of it).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/buf.h"
#include "programs/exports.h"
#include "core/banned.h"

static void field_is(const char *in, const char *want)
{
	struct buf b = BUF_INIT;
	exports_csv_text(&b, in);
	assert_string_equal(b.data ? b.data : "", want);
	buf_release(&b);
}

static void plain_text_is_left_alone(void **state)
{
	(void)state;
	field_is(NULL, "");
	field_is("", "");
	field_is("Ana Smith", "Ana Smith");
	field_is("Zo\xc3\xab N\xc3\xba\xc3\xb1"
	         "ez",
	         "Zo\xc3\xab N\xc3\xba\xc3\xb1"
	         "ez");
	field_is("a=b", "a=b");
	field_is("O'Neill", "O'Neill");
}

static void separators_and_quotes_are_quoted(void **state)
{
	(void)state;
	field_is("Smith, Ana", "\"Smith, Ana\"");
	field_is("say \"hi\"", "\"say \"\"hi\"\"\"");
	field_is("two\nlines", "\"two\nlines\"");
	field_is("cr\rhere", "\"cr\rhere\"");
}

static void formulas_are_neutralised(void **state)
{
	(void)state;
	field_is("=1+2", "\"'=1+2\"");
	field_is("+44 7700", "\"'+44 7700\"");
	field_is("-2", "\"'-2\"");
	field_is("@SUM(A1)", "\"'@SUM(A1)\"");
	field_is("\tx", "\"'\tx\"");
	field_is("\rx", "\"'\rx\"");
	field_is("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(plain_text_is_left_alone),
	    cmocka_unit_test(separators_and_quotes_are_quoted),
	    cmocka_unit_test(formulas_are_neutralised),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
