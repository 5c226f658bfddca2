import { describe, expect, it } from 'vitest';
import { render } from './__fixtures__/render-fixture.ts';

/**
 * Go text/template constructs. Every expected output below is what Go's text/template with sprig (Argo's
 * engine) printed for the same template and data, data decoded as Kubernetes decodes JSON.
 */
const cases: ReadonlyArray<readonly [source: string, data: Record<string, unknown>, expected: string]> = [
  ["Pod {{.pod.metadata.name}} is ready!\n", { pod: { metadata: { name: 'web-1' } } }, "Pod web-1 is ready!\n"],
  ['{{.app.spec}}', { app: { spec: { b: [1, 2], a: 'x' } } }, 'map[a:x b:[1 2]]'],
  ['{{$.app.metadata.name}} {{with .app.spec}}{{$.app.metadata.name}}/{{.project}}{{end}}', { app: { metadata: { name: 'guestbook' }, spec: { project: 'default' } } }, 'guestbook guestbook/default'],
  ['{{index .pod.metadata.labels "app.kubernetes.io/name"}} {{index .list 0}} {{index .m "a" "b"}}', { pod: { metadata: { labels: { 'app.kubernetes.io/name': 'web' } } }, list: ['first', 'second'], m: { a: { b: 'c' } } }, 'web first c'],
  ['{{.missing}} {{.pod.status.missing}} {{.pod.nothing.deeper}}', { pod: { status: {  } } }, '<no value> <no value> <no value>'],
  ['{{.n}}|{{print .n}}|{{printf "%v" .n}}|{{.m}}', { n: null, m: { a: null } }, '<no value>|<nil>|<nil>|map[a:<nil>]'],
  ['{{.i}} {{.f}} {{.neg}} {{.big}} {{.small}} {{.t}} {{.b}}', { i: 3, f: 2.5, neg: -7, big: 12345678901234, small: 0.000001, t: true, b: false }, '3 2.5 -7 12345678901234 1e-06 true false'],
  ['{{.m}} {{.l}} {{.nested}}', { m: { b: 2, a: 1 }, l: [1, 'two', 3.5, true], nested: { x: [{ y: 'z' }], e: [] } }, 'map[a:1 b:2] [1 two 3.5 true] map[e:[] x:[map[y:z]]]'],
  ['{{if .a}}A{{else if .b}}B{{else}}C{{end}}|{{if .c}}A{{else if .b}}B{{else}}C{{end}}|{{if .x}}A{{else if .y}}B{{else}}C{{end}}', { a: 0, b: 'yes', c: 1 }, 'B|A|C'],
  ['{{if .f}}T{{else}}F{{end}}{{if .z}}T{{else}}F{{end}}{{if .n}}T{{else}}F{{end}}{{if .es}}T{{else}}F{{end}}{{if .el}}T{{else}}F{{end}}{{if .em}}T{{else}}F{{end}}{{if .s}}T{{else}}F{{end}}{{if .l}}T{{else}}F{{end}}{{if .m}}T{{else}}F{{end}}{{if .missing}}T{{else}}F{{end}}', { f: false, z: 0, n: null, es: '', el: [], em: {  }, s: 'x', l: [0], m: { k: 0 } }, 'FFFFFFTTTF'],
  ['{{if eq .app.status.health.status "Healthy"}}healthy{{else}}{{.app.status.health.status}}{{end}}', { app: { status: { health: { status: 'Degraded' } } } }, 'Degraded'],
  ['{{with .app.status.operationState}}{{.phase}}: {{.message}}{{else}}no operation{{end}}|{{with .nothing}}x{{else}}none{{end}}', { app: { status: { operationState: { phase: 'Failed', message: 'boom' } } } }, 'Failed: boom|none'],
  ['{{with .a}}A={{.}}{{else with .b}}B={{.}}{{else}}neither{{end}}', { b: 2 }, 'B=2'],
  ['{{range .items}}[{{.name}}]{{end}}', { items: [{ name: 'a' }, { name: 'b' }] }, '[a][b]'],
  ['{{range $i, $x := .items}}{{$i}}:{{$x}} {{end}}', { items: ['a', 'b', 'c'] }, '0:a 1:b 2:c '],
  ['{{range $x := .items}}<{{$x}}>{{end}}', { items: ['a', 'b'] }, '<a><b>'],
  ['{{range .items}}{{.}}{{else}}empty{{end}}|{{range .missing}}{{.}}{{else}}none{{end}}', { items: [] }, 'empty|none'],
  ['{{range $k, $v := .labels}}{{$k}}={{$v}};{{end}}', { labels: { tier: 'fe', app: 'web', Zone: 'a' } }, 'Zone=a;app=web;tier=fe;'],
  ['{{range .labels}}{{.}} {{end}}', { labels: { b: '2', a: '1' } }, '1 2 '],
  ['{{range 3}}{{.}}{{end}}', {  }, '012'],
  ['{{range .l}}{{.}},{{end}}', { l: [1, null, 'x', { a: 1 }, [2]] }, '1,<no value>,x,map[a:1],[2],'],
  ['{{$name := .pod.metadata.name}}{{$name}} {{$name | upper}}', { pod: { metadata: { name: 'web-1' } } }, 'web-1 WEB-1'],
  ['{{$x := "outer"}}{{if true}}{{$x := "inner"}}{{$x}}{{end}} {{$x}}', {  }, 'inner outer'],
  ['{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}', {  }, '2'],
  ['{{$last := ""}}{{range .l}}{{$last = .}}{{end}}{{$last}}', { l: ['a', 'b', 'c'] }, 'c'],
  ['{{if $v := .a}}{{$v}}{{else}}no {{$v}}{{end}}', { a: 0 }, 'no 0'],
  ['{{.x | upper}} {{.x | default "none" | quote}} {{.missing | default "none" | quote}}', { x: 'abc' }, 'ABC "abc" "none"'],
  ['{{printf "%s-%d" .a .b}} {{.a | printf "%s!"}} {{"x" | printf "%s%s" "y"}}', { a: 'web', b: 3 }, 'web-3 web! yx'],
  ['{{if (eq .a "b")}}yes{{end}} {{(len .l)}} {{len .l | printf "%d items"}} {{(index .l 1).name}}', { a: 'b', l: [{ name: 'x' }, { name: 'y' }] }, 'yes 2 2 items y'],
  ['{{len .items}} {{len .m}} {{len .s}}', { items: [1, 2, 3], m: { a: 1 }, s: 'héllo' }, '3 1 6'],
  ['a{{/* a comment */}}b{{- /* trimmed */ -}} c', {  }, 'abc'],
  ["line1\n  {{- .x }}\n  {{ .y -}}\nend", { x: 'X', y: 'Y' }, "line1X\n  Yend"],
  ["{{- if .ok }}\n  ok\n{{- else }}\n  not ok\n{{- end }}", { ok: true }, "\n  ok"],
  ["{{range .l -}}\n  {{ . }}\n{{ end -}}\ndone", { l: ['a', 'b'] }, "a\nb\ndone"],
  ["{{\"double\"}} {{`raw\\n`}} {{'c'}} {{42}} {{-1.5}} {{0x1F}} {{1e3}} {{true}} {{\"esc\\t\\\"q\\\"\"}}", {  }, "double raw\\n 99 42 -1.5 31 1000 true esc\t\"q\""],
  ['{{eq .a "x" "y" "z"}} {{eq .a "q"}} {{ne .a "x"}} {{lt .n 5}} {{le .n 3}} {{gt .s "a"}} {{ge .n 4}}', { a: 'z', n: 3, s: 'b' }, 'true false true true true true false'],
  ['{{and .a .b}}|{{and .a .c}}|{{or .c .b}}|{{or .c .d}}|{{not .a}}|{{not .c}}', { a: 'A', b: 'B', c: '', d: 0 }, 'B||B|0|false|true'],
  ['{{index .l 1}} {{slice .l 1}} {{slice .l 1 2}} {{slice .l}}', { l: ['a', 'b', 'c'] }, 'b [b c] [b] [a b c]'],
  ['{{print "a" 1 2 "b"}}|{{println "x" 1}}|{{printf "%q %v %.2f %x" "s" .m 3.14159 255}}', { m: { k: 'v' } }, "a1 2b|x 1\n|\"s\" map[k:v] 3.14 ff"],
  ["{{html \"<a href=\\\"x\\\">&'</a>\"}} {{js \"it's <ok>\"}} {{urlquery \"a b&c\"}}", {  }, "&lt;a href=&#34;x&#34;&gt;&amp;&#39;&lt;/a&gt; it\\'s \\u003Cok\\u003E a+b%26c"],
  ['{{call .strings.ToUpper .pod.metadata.name}} {{call .strings.ReplaceAll "a-b-c" "-" "+"}}', { pod: { metadata: { name: 'web-1' } } }, 'WEB-1 a+b+c'],
  ['{{call .time.Now}} {{(call .time.Now).Format "2006-01-02T15:04:05Z07:00"}} {{(call .time.Now).Unix}}', {  }, '2024-03-05 07:08:09 +0000 UTC 2024-03-05T07:08:09Z 1709622489'],
  ['{{.recipient}}/{{.serviceType}}', { recipient: '#alerts', serviceType: 'slack' }, '#alerts/slack'],
];

describe('Go template constructs', () => {
  it.each(cases)('%j', (source, data, expected) => {
    expect(render(source, data)).toBe(expected);
  });
});
