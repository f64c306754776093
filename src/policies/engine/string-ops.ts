import type { ScalarTest, TestOrIssues, ValueIssue } from './condition-types.ts';
import { toText } from './context.ts';
import { compilePattern, matchPattern } from './pattern.ts';
import type { Context, ContextScalar } from './types.ts';
import { parseTemplate, renderTemplate, type Template, templateText } from './variables.ts';

// String condition families (policy-spec §5): StringEquals (exact, `*` is
// literal), StringEqualsIgnoreCase and StringLike (case-sensitive glob).
// §4: only these (and Bool) take policy variables. Values without variables
// are fully prepared on compile; values with variables are substituted per
// request, and an unresolved variable equals nothing, so the positive
// operators do not match and the negated ones do.

type StringFamily = 'string' | 'stringIgnoreCase' | 'like';

/** Parses each value as a template; numbers and booleans are compared as their text (§5 notes). */
function parseValues(raws: readonly ContextScalar[], variables: boolean) {
  const templates: Template[] = [];
  const issues: ValueIssue[] = [];
  raws.forEach((raw, index) => {
    const parsed = parseTemplate(toText(raw), variables && typeof raw === 'string');
    if (typeof parsed === 'string') issues.push({ index, message: parsed });
    else templates.push(parsed);
  });
  return { templates, issues };
}

function equalsTest(templates: readonly Template[], fold: (text: string) => string): ScalarTest {
  const literals = new Set(templates.filter((t) => !t.hasVariables).map((t) => fold(templateText(t))));
  const dynamic = templates.filter((t) => t.hasVariables);
  return (value: ContextScalar, context: Context): boolean => {
    const text = fold(toText(value));
    if (literals.has(text)) return true;
    for (const template of dynamic) {
      const expected = renderTemplate(template, context);
      if (expected !== undefined && fold(expected) === text) return true;
    }
    return false;
  };
}

function likeTest(templates: readonly Template[]): ScalarTest {
  const patterns = templates.map(compilePattern);
  return (value: ContextScalar, context: Context): boolean => {
    const text = toText(value);
    for (const pattern of patterns) if (matchPattern(pattern, text, context) === true) return true;
    return false;
  };
}

const same = (text: string): string => text;
const lower = (text: string): string => text.toLowerCase();

export function buildStringTest(
  family: StringFamily,
  raws: readonly ContextScalar[],
  variables: boolean,
): TestOrIssues {
  const { templates, issues } = parseValues(raws, variables);
  if (issues.length > 0) return { issues };
  if (family === 'like') return { test: likeTest(templates) };
  return { test: equalsTest(templates, family === 'string' ? same : lower) };
}
