import { describe, expect, it } from 'vitest';
import { render } from './__fixtures__/render-fixture.ts';

/**
 * sprig functions and Go builtins. Expected outputs are Go text/template + sprig v3's, except where a row
 * says Herald deviates on purpose.
 */
const reference: ReadonlyArray<readonly [source: string, data: Record<string, unknown>, expected: string]> = [
  ['{{ .v | toJson }}', { v: { b: [1, 2.5, null, true], a: '<&>', e: {  }, l: [] } }, "{\"a\":\"\\u003c\\u0026\\u003e\",\"b\":[1,2.5,null,true],\"e\":{},\"l\":[]}"],
  ['{{ .v | toPrettyJson }}', { v: { b: [1, { c: null }], a: 'x', e: {  }, l: [] } }, "{\n  \"a\": \"x\",\n  \"b\": [\n    1,\n    {\n      \"c\": null\n    }\n  ],\n  \"e\": {},\n  \"l\": []\n}"],
  ['{{ .v | toRawJson }}', { v: { h: "<a href='x'>&</a>", u: 'é\u2028' } }, "{\"h\":\"<a href='x'>&</a>\",\"u\":\"é\\u2028\"}"],
  ['{{ (fromJson .j).a }} {{ fromJson .j }}', { j: '{"a":[1,2],"b":"x"}' }, '[1 2] map[a:[1 2] b:x]'],
  ["{{ quote \"a\" 1 .missing \"q\\\"\\n\" }} {{ squote \"a\" 2 }}", {  }, "\"a\" \"1\" \"q\\\"\\n\" 'a' '2'"],
  ['{{ .missing | default "none" }} {{ .zero | default "d" }} {{ .f | default "d" }} {{ .el | default "d" }} {{ .s | default "d" }}', { zero: 0, f: false, el: [], s: 'set' }, 'none d d d set'],
  ['{{ empty .a }} {{ empty .b }} {{ empty .c }} {{ empty .d }} {{ empty .missing }}', { a: '', b: 0, c: 'x', d: { k: 1 } }, 'true true false false true'],
  ['{{ coalesce .a .b .c }} {{ coalesce .a .b }}', { a: '', b: 0, c: 'third' }, 'third <no value>'],
  ['{{ ternary "yes" "no" true }} {{ ternary "yes" "no" (eq .n 2) }}', { n: 1 }, 'yes no'],
  ['{{ upper "héllo" }} {{ lower "HÉLLO" }} {{ title "hello wide-world" }}', {  }, 'HÉLLO héllo Hello Wide-World'],
  ['{{ trim "  x y  " }} {{ trimPrefix "v" "v1.2" }} {{ trimSuffix ".git" "repo.git" }} {{ trimAll "/" "//path//" }}', {  }, 'x y 1.2 repo path'],
  ['{{ trunc 5 "hello world" }} {{ trunc -5 "hello world" }} {{ trunc 50 "short" }}', {  }, 'hello world short'],
  ['{{ abbrev 8 "hello world" }} {{ abbrev 3 "hello" }} {{ abbrev 20 "hello" }}', {  }, 'hello... hello hello'],
  ['{{ replace "-" "_" "a-b-c" }} {{ contains "b" "abc" }} {{ hasPrefix "ab" "abc" }} {{ hasSuffix "bc" "abc" }}', {  }, 'a_b_c true true true'],
  ["{{ repeat 3 \"ab\" }} {{ substr 1 3 \"hello\" }} {{ substr 2 -1 \"hello\" }} {{ nospace \" a b\\tc \" }}", {  }, 'ababab el llo abc'],
  ["{{ indent 2 \"a\\nb\" }}|{{ nindent 4 \"x\" }}", {  }, "  a\n  b|\n    x"],
  ['{{ split "," "a,b" }} {{ splitList "," "a,b,c" }} {{ join "-" (list "a" 1 2.5) }} {{ join "," .l }}', { l: ['x', null, 'y'] }, 'map[_0:a _1:b] [a b c] a-1-2.5 x,y'],
  ['{{ list 1 "a" nil }} {{ dict "k" "v" "n" 1 }} {{ get (dict "k" "v") "k" }}|{{ get (dict "k" "v") "x" }}| {{ hasKey .m "a" }} {{ hasKey .m "z" }}', { m: { a: 1 } }, '[1 a <nil>] map[k:v n:1] v|| true false'],
  ['{{ keys .m }} {{ first .l }} {{ last .l }} {{ until 3 }} {{ until -2 }}', { m: { b: 1, a: 2 }, l: [1, 2, 3] }, '[a b] 1 3 [0 1 2] [0 -1]'],
  ['{{ add 1 2 3 }} {{ add1 9 }} {{ sub 3 5 }} {{ mul 2 3 4 }} {{ div 7 2 }} {{ div -7 2 }} {{ mod -7 3 }} {{ max 1 7 3 }} {{ min 4 2 8 }}', {  }, '6 10 -2 24 3 -3 -1 7 2'],
  ['{{ add "2" 3.9 }} {{ toString 1.5 }} {{ toString .m }} {{ atoi "12" }} {{ atoi "x" }} {{ int "0x1F" }} {{ int "1.0" }} {{ int64 true }} {{ float64 "1e3" }}', { m: { a: [1] } }, '5 1.5 map[a:[1]] 12 0 31 1 1 1000'],
  ['{{ b64enc "héllo" }} {{ b64dec "aMOpbGxv" }} {{ b64dec "bad!" }} {{ sha256sum "" }} {{ sha1sum "abc" }}', {  }, 'aMOpbGxv héllo illegal base64 data at input byte 3 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 a9993e364706816aba3e25717850c26c9cd0d89d'],
  ['{{ date "2006-01-02 15:04:05 MST" .ts }} {{ date "Mon Jan _2 15:04" .ts }} {{ date "3:04PM" .ts }}', { ts: 1700000000 }, '2023-11-14 22:13:20 UTC Tue Nov 14 22:13 10:13PM'],
  ['{{ duration .s }} {{ duration "45" }}', { s: 3725 }, '1h2m5s 45s'],
  ["{{ regexMatch \"^[a-z]+-[0-9]+$\" \"web-12\" }} {{ regexMatch \"(?i)^WEB\" \"web\" }} {{ regexReplaceAll \"[0-9]+\" \"a1b22c\" \"#\" }} {{ regexReplaceAll \"(?P<k>\\\\w+)=(?P<v>\\\\w+)\" \"a=1,b=2\" \"${v}:${k}\" }}", {  }, 'true true a#b#c 1:a,2:b'],
  ["{{ urlquery \"a b+c/d\" }} {{ html \"<p class=\\\"x\\\">&</p>\" }} {{ js \"a'b\\\"c<d>\" }}", {  }, "a+b%2Bc%2Fd &lt;p class=&#34;x&#34;&gt;&amp;&lt;/p&gt; a\\'b\\\"c\\u003Cd\\u003E"],
  ['{{ cat "a" .n "b" 3 }} {{ floor 2.7 }} {{ ceil -2.7 }}', {  }, 'a b 3 2 -2'],
];

/** Where Herald differs from sprig on purpose (documented in the template layer's README). */
const deviations: ReadonlyArray<readonly [why: string, source: string, data: Record<string, unknown>, expected: string]> = [
  ['keys are sorted (Go: random order)', '{{ keys .m | join "," }}', { m: { b: 1, c: 2, a: 3 } }, 'a,b,c'],
  ['duration takes a literal number (sprig: 0s unless int64)', '{{ duration 90 }}', {}, '1m30s'],
  ['date reads RFC 3339 text (sprig: now)', '{{ date "2006-01-02 15:04" .t }}', { t: '2023-11-14T23:13:20+01:00' }, '2023-11-14 22:13'],
  ['date formats in UTC (sprig: the local zone)', '{{ date "15:04 MST" .t }}', { t: 1700000000 }, '22:13 UTC'],
  ['printf float verbs format integral numbers (Go: %!f(int64=3))', '{{ printf "%.2f" .n }}', { n: 3 }, '3.00'],
  ['int and float compare by value (Go: incompatible types)', '{{ eq .n 3.0 }} {{ lt .n 3.5 }}', { n: 3 }, 'true true'],
  ['an int parameter takes int64 data (Go: wrong type)', '{{ trunc .n "hello" }}', { n: 2 }, 'he'],
];

describe('sprig functions and builtins', () => {
  it.each(reference)('%j', (source, data, expected) => {
    expect(render(source, data)).toBe(expected);
  });

  it.each(deviations)('deviation: %s', (_why, source, data, expected) => {
    expect(render(source, data)).toBe(expected);
  });

  it.each([
    ['{{ now | date "2006-01-02T15:04:05Z07:00" }}', '2024-03-05T07:08:09Z'],
    ['{{ (now).Unix }}', '1709622489'],
    ['{{ date "2006-01-02" .missing }}', '2024-03-05'],
    ['{{ ago .t }}', '1h0m0s'],
    ['{{ ago .unix }}', '2m9s'],
  ])('reads the injected clock: %s', (source, expected) => {
    expect(render(source, { t: '2024-03-05T06:08:09Z', unix: 1709622360 })).toBe(expected);
  });
});
