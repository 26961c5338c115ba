/** The API reference as one HTML page, rendered from the OpenAPI document (pure; no script, nothing fetched). */

type Json = Record<string, unknown>;

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function schemaBlock(schema: unknown): string {
  return `<pre class="schema">${esc(JSON.stringify(schema, null, 2))}</pre>`;
}

function operation(path: string, method: string, op: Json): string {
  const params = (op.parameters ?? []) as Json[];
  const body = (op.requestBody as Json | undefined)?.content as Record<string, Json> | undefined;
  const responses = (op.responses ?? {}) as Record<string, Json>;
  const secured = ((op.security ?? []) as unknown[]).length > 0;
  const rows = params.map((p) => `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${p.required ? 'yes' : 'no'}</td>`
    + `<td><code>${esc(JSON.stringify(p.schema))}</code>${p.description ? ` ${esc(p.description)}` : ''}</td></tr>`).join('');
  const resp = Object.entries(responses).map(([code, r]) => {
    const content = r.content as Record<string, Json> | undefined;
    const first = content ? Object.entries(content)[0] : undefined;
    const ref = first?.[1].schema as Json | undefined;
    const shown = ref && typeof ref.$ref === 'string' ? '' : first ? `<details><summary>${esc(first[0])}</summary>${schemaBlock(first[1].schema)}</details>` : '';
    return `<li><b>${esc(code)}</b> ${esc(r.description)}${shown}</li>`;
  }).join('');
  const id = `${method}-${path}`.replace(/[^A-Za-z0-9]+/g, '-');
  return `<section id="${esc(id)}"><h2><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h2>
<p>${esc(op.summary)}${secured ? ' <span class="auth">needs API key</span>' : ''}</p>${op.description ? `<p>${esc(op.description)}</p>` : ''}
${rows ? `<table><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th></tr>${rows}</table>` : ''}
${body ? `<h3>Request body</h3>${schemaBlock(Object.values(body)[0].schema)}` : ''}
<h3>Responses</h3><ul>${resp}</ul></section>`;
}

export function renderReferencePage(doc: Json): string {
  const info = doc.info as Json;
  const paths = doc.paths as Record<string, Record<string, Json>>;
  const ops = Object.entries(paths).flatMap(([p, methods]) => Object.entries(methods).filter(([m]) => m !== 'head').map(([m, op]) => ({ p, m, op })));
  const toc = ops.map(({ p, m }) => `<li><a href="#${esc(`${m}-${p}`.replace(/[^A-Za-z0-9]+/g, '-'))}">${esc(m.toUpperCase())} ${esc(p)}</a></li>`).join('');
  const errors = ((doc.components as Json).schemas as Record<string, Json>).ErrorBody;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(info.title)} — API reference</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
code,pre{font-family:ui-monospace,monospace;font-size:13px}pre.schema{background:#f5f5f5;padding:.5rem;overflow:auto;max-height:24rem}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;vertical-align:top}
.m{display:inline-block;min-width:3.5rem;text-align:center;color:#fff;border-radius:3px;padding:0 .3rem;font-size:13px}
.get{background:#2b7}.post{background:#27b}.auth{color:#a60;font-size:13px}section{border-top:1px solid #ddd;margin-top:1.5rem}</style></head>
<body><h1>${esc(info.title)} <small>${esc(info.version)}</small></h1><p>${esc(info.description)}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${esc(doc.openapi)}). Back to the <a href="/">playground</a>.</p>
<ul>${toc}</ul>${ops.map(({ p, m, op }) => operation(p, m, op)).join('\n')}
<section><h2>Error body</h2><p>Every error answers with this body; <code>reason</code> is one of the catalogue's.</p>${schemaBlock(errors)}</section>
</body></html>`;
}
