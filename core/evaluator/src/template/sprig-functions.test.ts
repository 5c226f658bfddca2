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
  ['{{ untitle "Hello World" }} {{ initials "First Try" }} {{ abbrevboth 5 10 "1234 5678 9123" }} {{ plural "one" "many" 2 }} {{ plural "one" "many" 1 }}', {  }, 'hello world FT ...5678... many one'],
  ['{{ wrap 5 "hello world foo" }}|{{ wrapWith 5 "\t" "hello world" }}', {  }, 'hello\nworld\nfoo|hello\tworld'],
  ['{{ snakecase "FirstName" }} {{ camelcase "http_server" }} {{ kebabcase "FirstName" }} {{ swapcase "Hello" }} {{ shuffle "" }}|{{ shuffle "a" }}', {  }, 'first_name HttpServer first-name hELLO |a'],
  ['{{ snakecase "https://github.com/acme/new-app.git" }}|{{ snakecase "HTTPServer" }}|{{ snakecase "HTTP20xOK" }}|{{ snakecase "Duration2m3s" }}|{{ snakecase "Bld4Floor3rd" }}|{{ snakecase " _-_ " }}|{{ snakecase "中文ABC字" }}|{{ snakecase "a$b+c" }}|{{ snakecase "x²y" }}', {  }, 'https://github.com/acme/new_app.git|http_server|http_20x_ok|duration_2m3s|bld4_floor_3rd|_____|中文_abc_字|a_$_b_+_c|x_²y'],
  ['{{ kebabcase "abc123def" }}|{{ kebabcase "ABC123DEF" }}|{{ kebabcase "123ABC" }}|{{ kebabcase "A1B2" }}|{{ kebabcase "a.B" }}|{{ kebabcase "getHTTPResponse2Code" }}|{{ kebabcase "IDs" }}|{{ kebabcase "a  B" }}|{{ kebabcase "2024-03-01T10:00:00Z" }}', {  }, 'abc-123def|abc123-def|123-abc|a1-b2|a.b|get-http-response2-code|i-ds|a--b|2024-03-01-t10:00:00-z'],
  ['{{ camelcase "https://github.com/acme/new-app.git" }}|{{ camelcase "GOLANG_IS_GREAT" }}|{{ camelcase "_complex__case_" }}|{{ camelcase "_" }}|{{ camelcase "a  b" }}|{{ camelcase "HTTPServer-x" }}|{{ camelcase "aBC_DEF" }}', {  }, 'Https://github.com/acme/newApp.git|GolangIsGreat|_Complex_Case_|__|A B|HttpserverX|ABCDef'],
  ['{{ splitn "," 2 "a,b,c" }} {{ toStrings (list 1 nil "a") }} {{ sortAlpha (list "b" "a" 3) }}', {  }, 'map[_0:a _1:b,c] [1 a] [3 a b]'],
  ['{{ regexFind "a." "xxabc" }} {{ regexFindAll "a." "abacad" -1 }} {{ regexFindAll "a." "abacad" 2 }} {{ regexSplit "z+" "pizza" -1 }} {{ regexReplaceAllLiteral "a" "aa" "$1" }} {{ regexQuoteMeta "1.2" }}', {  }, 'ab [ab ac ad] [ab ac] [pi a] $1$1 1\\.2'],
  ['{{ b32enc "hi" }} {{ b32dec "NBUQ====" }} {{ adler32sum "a" }} {{ sha512sum "a" | trunc 16 }} {{ mustToJson (list 1) }}', {  }, 'NBUQ==== hi 6422626 1f40fc92da241694 [1]'],
  ['{{ maxf 1.5 2.5 }} {{ minf 1.5 0.5 }} {{ addf 1.5 1 }} {{ addf 0.1 0.2 }} {{ subf 3 1.5 }} {{ divf 1 4 }} {{ mulf 1.5 2 }} {{ round 1.2345 2 }} {{ biggest 1 9 }}', {  }, '2.5 0.5 2.5 0.3 1.5 0.25 3 1.23 9'],
  ['{{ untilStep 0 10 3 }} {{ untilStep 3 0 -1 }} {{ seq 3 }} {{ seq 2 -1 }} {{ seq 0 2 6 }}', {  }, '[0 3 6 9] [3 2 1] 1 2 3 2 1 0 -1 0 2 4 6'],
  ['{{ all 1 "a" }} {{ all 1 "" }} {{ any 0 "" }} {{ any 0 "a" }} {{ compact (list 1 "" nil 2) }} {{ deepEqual (list 1) (list 1) }}', {  }, 'true false false true [1 2] true'],
  ['{{ rest (list 1 2 3) }} {{ initial (list 1 2 3) }} {{ append (list 1) 2 }} {{ prepend (list 1) 0 }} {{ concat (list 1) (list 2) }} {{ reverse (list 1 2) }} {{ uniq (list 1 1 2) }}', {  }, '[2 3] [1 2] [1 2] [0 1] [1 2] [2 1] [1 2]'],
  ['{{ without (list 1 2 3) 2 }} {{ has 2 (list 1 2) }} {{ chunk 2 (list 1 2 3) }} {{ mustFirst (list) }}', {  }, '[1 3] true [[1 2] [3]] <no value>'],
  ['{{ set (dict) "a" 1 }} {{ unset (dict "a" 1) "a" }} {{ pluck "a" (dict "a" 1) (dict "a" 2) }} {{ dig "m" "n" "x" .d }} {{ dig "m" "z" "x" .d }} {{ values (dict "a" 1) }}', { d: { m: { n: 'v' } } }, 'map[a:1] map[] [1 2] v x [1]'],
  ['{{ pick .d "a" }} {{ omit (dict "a" 1 "b" 2) "a" }} {{ merge (dict "a" 1) (dict "a" 2 "b" 3) }} {{ mergeOverwrite (dict "a" 1) (dict "a" 2) }} {{ deepCopy (dict "a" 1) }}', { d: { a: 1, b: 2 } }, 'map[a:1] map[b:2] map[a:1 b:3] map[a:2] map[a:1]'],
  ['{{ kindOf .m }} {{ kindOf .s }} {{ kindOf .l }} {{ typeOf .s }} {{ kindIs "map" .m }} {{ typeIs "string" 1 }}', { m: { a: 1 }, s: 'x', l: [] }, 'map string slice string true false'],
  ['{{ base "/a/b.txt" }} {{ dir "/a/b.txt" }} {{ ext "b.txt" }} {{ clean "/a/../b" }} {{ isAbs "/a" }} {{ osBase "/a/b" }}', {  }, 'b.txt /a .txt /b true b'],
  ['{{ urlParse "https://u@h:1/p?q=1#f" }} {{ (urlParse "https://h/p").host }} {{ urlJoin (dict "scheme" "https" "host" "h" "path" "/p" "query" "a=1") }}', {  }, 'map[fragment:f host:h:1 hostname:h opaque: path:/p query:q=1 scheme:https userinfo:u] h https://h/p?a=1'],
  ['{{ uuidv4 | len }} {{ randAlphaNum 5 | len }} {{ randNumeric 3 | regexMatch "^[0-9]{3}$" }}', {  }, '36 5 true'],
  ['{{ date "2006-01-02" (toDate "2006-01-02T15:04:05Z07:00" "2024-03-01T10:00:00Z") }} {{ (toDate "2006-01-02" "2024-03-01").Year }} {{ toDate "2006-01-02" "2024-03-01" }} {{ toDate "2006" "x" }}', {  }, '2024-03-01 2024 2024-03-01 00:00:00 +0000 UTC 0001-01-01 00:00:00 +0000 UTC'],
  ['{{ dateInZone "15:04" (toDate "2006-01-02" "2024-03-01") "UTC" }} {{ unixEpoch (toDate "2006-01-02" "2024-03-01") }} {{ dateModify "1h" (toDate "2006-01-02" "2024-03-01") }} {{ durationRound "2h10m5s" }} {{ durationRound "800h" }}', {  }, '00:00 1709251200 2024-03-01 01:00:00 +0000 UTC 2h 1mo'],
  ['{{ semver "1.2.3" }} {{ (semver "v1.2.3-rc.1+b5").Major }} {{ (semver "1.2").Patch }} {{ (semver "1.2.3-rc.1").Prerelease }}', {  }, '1.2.3 1 0 rc.1'],
  ['{{ semverCompare ">=1.2.0" "1.2.3" }} {{ semverCompare "^1.2" "2.0.0" }} {{ semverCompare "~1.2.0" "1.2.9" }} {{ semverCompare "1.x" "1.9.0" }} {{ semverCompare ">1.0 <2.0 || 3.0.0" "3.0.0" }} {{ semverCompare ">=1.0" "1.5.0-beta" }}', {  }, 'true false true true true false'],
  ['{{ mustRegexFind "a." "xab" }} {{ tuple 1 2 }} {{ mustUniq (list 1 1) }} {{ mustRegexMatch "^a" "ab" }} {{ (mustFromJson "{\\"a\\":1}").a }} {{ trimall "/" "/x/" }}', {  }, 'ab [1 2] [1] true 1 x'],
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
