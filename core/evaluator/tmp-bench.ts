import { compileTemplate } from './src/template/index.ts';
for (const src of ['{{regexReplaceAll "a*" "baaac" "X"}}', '{{regexReplaceAll "[0-9]+" "a1b22c" "#"}}', '{{regexReplaceAll "(?P<k>\\\\w+)=(?P<v>\\\\w+)" "a=1,b=2" "${v}:${k}"}}', '{{regexMatch "^(a+)+$" .s}}', '{{regexMatch "(a)\\\\1" .s}}', '{{#if x}}{{regexMatch "(?=x)" x}}{{/if}}', '{{regexReplaceAll "" "😀é" "-"}}', '{{regexReplaceAll "\\\\b" "ab cd" "|"}}', '{{regexReplaceAll "x*" "😀" "-"}}']) {
  const t = performance.now();
  let r: string;
  try { r = compileTemplate(src, 'template.t: message').render({ s: 'a'.repeat(40) + '-b', x: 'y' }); } catch (e) { r = (e as Error).message; }
  console.log(src, '→', r, Math.round(performance.now() - t), 'ms');
}
