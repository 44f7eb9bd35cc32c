/// The console: one self-contained page (HTML, CSS and JavaScript, nothing loaded from elsewhere) that reads
/// `/openapi.json`, lists services, methods and routes, shows each request schema, builds an example request,
/// sends it with the headers the user adds, and shows status, headers, reply or error body, and timing; server
/// streams are shown message by message as they arrive.
///
/// `#op=OPERATION_ID` in the URL selects an operation; `&send=1` also sends its example request (links to share,
/// and what the browser test drives).
enum ConsolePage {
    /// Scripts and styles are inline; requests go to this origin only.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
        + "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Portico console</title>
        <style>
        :root { --fg:#1d2330; --muted:#5b6475; --line:#d8dde6; --bg:#f6f7f9; --accent:#1f5fbf; --ok:#1c7c3a; --bad:#b3261e; }
        * { box-sizing: border-box; }
        body { margin:0; font:14px/1.45 system-ui, sans-serif; color:var(--fg); background:var(--bg); }
        header { display:flex; gap:12px; align-items:center; padding:10px 16px; background:#1d2330; color:#fff; flex-wrap:wrap; }
        header h1 { font-size:16px; margin:0; }
        header .meta { color:#b8c0cf; font-size:12px; }
        main { display:grid; grid-template-columns: minmax(260px, 340px) 1fr; gap:0; min-height:calc(100vh - 44px); }
        nav { border-right:1px solid var(--line); background:#fff; overflow:auto; max-height:calc(100vh - 44px); }
        nav input { width:calc(100% - 20px); margin:10px; padding:6px 8px; border:1px solid var(--line); border-radius:4px; }
        details.service > summary { padding:6px 10px; font-weight:600; cursor:pointer; border-top:1px solid var(--line); word-break:break-all; }
        button.op { display:block; width:100%; text-align:left; border:0; background:none; padding:5px 10px 5px 18px; cursor:pointer; font:inherit; }
        button.op:hover, button.op.active { background:#e8effa; }
        .verb { display:inline-block; min-width:52px; font:600 11px/1.6 ui-monospace, monospace; color:#fff; border-radius:3px; text-align:center; margin-right:6px; }
        .GET { background:#1c7c3a; } .POST { background:#1f5fbf; } .PUT { background:#8a5a00; } .PATCH { background:#6b3fa0; } .DELETE { background:#b3261e; }
        .route { font:12px ui-monospace, monospace; overflow-wrap:anywhere; }
        .method { color:var(--muted); font-size:12px; display:block; padding-left:58px; }
        section#detail { padding:16px 20px; overflow:auto; min-width:0; }
        h2 { font-size:18px; margin:0 0 4px; word-break:break-all; }
        h3 { font-size:14px; margin:16px 0 6px; }
        .muted { color:var(--muted); }
        table.params { border-collapse:collapse; width:100%; }
        table.params td { padding:4px 6px; border-bottom:1px solid var(--line); vertical-align:top; }
        table.params td:first-child { width:30%; font:12px ui-monospace, monospace; word-break:break-all; }
        input.param, textarea { width:100%; padding:6px 8px; border:1px solid var(--line); border-radius:4px; font:12px ui-monospace, monospace; background:#fff; }
        textarea { min-height:140px; resize:vertical; }
        .row { display:flex; gap:12px; flex-wrap:wrap; align-items:end; }
        .row > label { flex:1 1 200px; font-size:12px; color:var(--muted); }
        button.send { background:var(--accent); color:#fff; border:0; border-radius:4px; padding:8px 18px; font:600 14px system-ui; cursor:pointer; }
        button.stop { background:#fff; border:1px solid var(--line); border-radius:4px; padding:8px 12px; cursor:pointer; }
        pre { background:#fff; border:1px solid var(--line); border-radius:4px; padding:10px; overflow:auto; font:12px/1.4 ui-monospace, monospace; white-space:pre-wrap; word-break:break-word; max-height:420px; }
        #status { font-weight:600; }
        #status.ok { color:var(--ok); } #status.bad { color:var(--bad); }
        .error-box { border-left:4px solid var(--bad); background:#fdecea; padding:8px 10px; margin:8px 0; }
        @media (max-width: 720px) {
          main { grid-template-columns: 1fr; }
          nav { max-height:40vh; border-right:0; border-bottom:1px solid var(--line); }
          section#detail { padding:12px; }
        }
        </style>
        </head>
        <body>
        <header><h1>Portico console</h1><span class="meta" id="docmeta">loading /openapi.json…</span></header>
        <main>
        <nav><input id="filter" type="search" placeholder="Filter services, methods, routes" aria-label="Filter">
        <div id="services"></div></nav>
        <section id="detail"><p class="muted">Pick a method on the left.</p></section>
        </main>
        <script>
        "use strict";
        let doc = null, ops = [], current = null, controller = null;
        const $ = (sel, root = document) => root.querySelector(sel);
        const el = (tag, attrs = {}, ...children) => {
          const node = document.createElement(tag);
          for (const [k, v] of Object.entries(attrs)) { if (k === "class") node.className = v; else if (k.startsWith("on")) node.addEventListener(k.slice(2), v); else node.setAttribute(k, v); }
          for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
          return node;
        };
        function resolve(schema) {
          let seen = 0;
          while (schema && schema.$ref && seen++ < 20) schema = doc.components.schemas[schema.$ref.split("/").pop()];
          return schema || {};
        }
        function example(schema, depth = 0, stack = []) {
          if (!schema) return null;
          if (schema.$ref) {
            const name = schema.$ref.split("/").pop();
            if (stack.includes(name) || depth > 5) return undefined;
            return example(resolve(schema), depth, stack.concat([name]));
          }
          if (schema.anyOf) return example(schema.anyOf[0], depth, stack);
          if (schema.const !== undefined) return schema.const;
          if (schema.enum) return schema.enum[0];
          if (schema.oneOf && !schema.properties) return example(schema.oneOf[0], depth, stack);
          switch (schema.type) {
            case "string":
              if (schema.format === "date-time") return new Date().toISOString().replace(/\.\d+Z$/, "Z");
              if (schema.format === "uuid") return "00000000-0000-4000-8000-000000000000";
              if (schema.pattern && schema.pattern.includes("[0-9]+$")) return "1";
              if (schema.pattern && schema.pattern.endsWith("s$")) return "1.5s";
              if (schema.contentEncoding === "base64") return "";
              return "";
            case "integer": return Math.max(0, schema.minimum ?? 0) || 1;
            case "number": return 0;
            case "boolean": return false;
            case "array": { const item = example(schema.items, depth + 1, stack); return item === undefined ? [] : [item]; }
            case "null": return null;
            case "object": {
              if (!schema.properties) return {};
              const skip = new Set();
              const groups = schema.allOf ? schema.allOf.map(g => g.oneOf) : [schema.oneOf];
              for (const group of groups) if (group) group.slice(1).forEach(b => (b.required || []).forEach(n => skip.add(n)));
              const out = {};
              for (const [key, value] of Object.entries(schema.properties)) {
                if (skip.has(key)) continue;
                const v = example(value, depth + 1, stack);
                if (v !== undefined) out[key] = v;
              }
              return out;
            }
          }
          return schema.oneOf ? example(schema.oneOf[0], depth, stack) : null;
        }
        function paramExample(p) {
          const s = resolve(p.schema || {});
          if (p.in === "path") return s.type === "integer" || (s.pattern || "").includes("[0-9]+$") ? "1" : "example";
          return "";
        }
        function load() {
          fetch("/openapi.json", { credentials: "same-origin" }).then(r => {
            if (!r.ok) throw new Error("GET /openapi.json answered " + r.status);
            return r.json();
          }).then(d => {
            doc = d;
            ops = [];
            for (const [path, item] of Object.entries(d.paths || {}))
              for (const [verb, op] of Object.entries(item)) ops.push({ path, verb: verb.toUpperCase(), op, service: (op.tags || ["other"])[0] });
            $("#docmeta").textContent = d.info.version + " · " + ops.length + " operations · OpenAPI " + d.openapi;
            renderList();
            route();
          }).catch(e => { $("#docmeta").textContent = String(e.message || e); });
        }
        function renderList() {
          const filter = $("#filter").value.toLowerCase();
          const box = $("#services");
          box.replaceChildren();
          const services = [...new Set(ops.map(o => o.service))];
          for (const service of services) {
            // Annotated routes first, then the generic ones.
            const generic = o => ((o.op["x-portico"] || {}).generic ? 1 : 0);
            const matching = ops.filter(o => o.service === service && (service + o.path + o.op.summary).toLowerCase().includes(filter))
              .sort((a, b) => generic(a) - generic(b));
            if (!matching.length) continue;
            const details = el("details", { class: "service", open: "" }, el("summary", {}, service));
            for (const o of matching) {
              const button = el("button", { class: "op", "data-op": o.op.operationId, onclick: () => { location.hash = "op=" + encodeURIComponent(o.op.operationId); } },
                el("span", { class: "verb " + o.verb }, o.verb), el("span", { class: "route" }, o.path),
                el("span", { class: "method" }, (o.op["x-portico"] || {}).method || o.op.summary));
              if (current && current.op.operationId === o.op.operationId) button.classList.add("active");
              details.append(button);
            }
            box.append(details);
          }
        }
        function route() {
          const params = new URLSearchParams(location.hash.slice(1));
          const id = params.get("op");
          const found = ops.find(o => o.op.operationId === id);
          if (found) { select(found); if (params.get("send") === "1") send(); }
        }
        function select(o) {
          current = o;
          renderList();
          const op = o.op, meta = op["x-portico"] || {};
          // X-Portico-Timeout has its own field below.
          const rows = (op.parameters || []).map(p => p.$ref ? doc.components.parameters[p.$ref.split("/").pop()] : p).filter(p => p.name !== "X-Portico-Timeout");
          const table = el("table", { class: "params" });
          for (const p of rows) {
            const input = el("input", { class: "param", "data-in": p.in, "data-name": p.name, placeholder: (resolve(p.schema || {}).type || "string") + (p.required ? " (required)" : "") });
            input.value = paramExample(p);
            table.append(el("tr", {}, el("td", {}, p.name + " ", el("span", { class: "muted" }, p.in)), el("td", {}, input, p.description ? el("div", { class: "muted" }, p.description) : "")));
          }
          const detail = $("#detail");
          detail.replaceChildren(
            el("h2", {}, el("span", { class: "verb " + o.verb }, o.verb), o.path),
            el("div", { class: "muted" }, op.summary + (meta.generic ? " · generic route" : "") + (meta.serverStream ? " · server stream" : "")),
            el("p", {}, op.description || ""),
            el("h3", {}, "Parameters"), rows.length ? table : el("p", { class: "muted" }, "None."));
          const media = op.requestBody ? Object.keys(op.requestBody.content)[0] : null;
          if (media) {
            const schema = op.requestBody.content[media].schema;
            const body = el("textarea", { id: "body", spellcheck: "false", "aria-label": "Request body" });
            body.value = media === "application/json" ? JSON.stringify(example(schema), null, 2) : "";
            detail.append(el("h3", {}, "Body (" + media + ")"), body,
              el("details", {}, el("summary", {}, "Request schema"), el("pre", { id: "schema" }, JSON.stringify(expand(schema, 0), null, 2))));
            body.dataset.media = media;
          }
          if (meta.auth) {
            // One token for every guarded route, sent the way the operation's first security scheme says.
            const token = el("input", { class: "param", id: "token", spellcheck: "false", placeholder: "v4.public...." });
            token.value = sessionStorage.getItem("portico.token") || "";
            const scheme = tokenScheme(op);
            detail.append(el("h3", {}, "Token"), el("label", {}, "PASETO token (auth policy " + meta.auth + ")", token),
              el("div", { class: "muted" }, scheme ? "Sent " + scheme.where + "." : "This policy reads the token from a form field: put it in the body."));
          }
          const headers = el("textarea", { id: "headers", spellcheck: "false", "aria-label": "Extra headers", style: "min-height:60px" });
          headers.value = sessionStorage.getItem("portico.headers") || "";
          headers.placeholder = "Authorization: Bearer v4.public....\nX-Tenant: demo";
          detail.append(el("h3", {}, "Headers (one per line)"), headers,
            el("div", { class: "row" },
              el("label", {}, "X-Portico-Timeout", el("input", { class: "param", id: "timeout", placeholder: "e.g. 2s" })),
              el("div", {}, el("button", { class: "send", id: "send", onclick: send }, "Send"), " ", el("button", { class: "stop", id: "stop", onclick: () => controller && controller.abort() }, "Stop"))),
            el("h3", {}, "Response"), el("div", {}, el("span", { id: "status" }, "not sent"), " ", el("span", { id: "timing", class: "muted" })),
            el("div", { id: "errorbox" }), el("pre", { id: "reply" }), el("details", {}, el("summary", {}, "Response headers"), el("pre", { id: "resheaders" })));
        }
        // How the operation's first security scheme carries a token: a function that adds it to the request.
        function tokenScheme(op) {
          const schemes = (doc.components || {}).securitySchemes || {};
          for (const requirement of op.security || []) {
            const s = schemes[Object.keys(requirement)[0]];
            if (!s) continue;
            if (s.type === "http" && s.scheme === "bearer") return { where: "as Authorization: Bearer <token>", apply: (t, r) => r.headers.set("Authorization", "Bearer " + t) };
            if (s.type === "apiKey" && s.in === "header") return { where: "in the " + s.name + " header", apply: (t, r) => r.headers.set(s.name, (s["x-portico-token-prefix"] || "") + t) };
            if (s.type === "apiKey" && s.in === "query") return { where: "as the query parameter " + s.name, apply: (t, r) => r.query.set(s.name, t) };
            if (s.type === "apiKey" && s.in === "cookie") return { where: "as the cookie " + s.name, apply: t => { document.cookie = encodeURIComponent(s.name) + "=" + encodeURIComponent(t) + "; path=/; SameSite=Strict"; } };
          }
          return null;
        }
        function expand(schema, depth) {
          if (!schema || typeof schema !== "object") return schema;
          if (schema.$ref) { const name = schema.$ref.split("/").pop(); return depth > 2 ? "→ " + name : { "§": name, ...expand(resolve(schema), depth + 1) }; }
          const out = Array.isArray(schema) ? [] : {};
          for (const [k, v] of Object.entries(schema)) out[k] = expand(v, depth);
          return out;
        }
        async function send() {
          if (!current) return;
          let path = current.path;
          const query = new URLSearchParams();
          const headers = new Headers();
          for (const input of document.querySelectorAll("input.param[data-in]")) {
            const value = input.value, name = input.dataset.name;
            if (value === "" && input.dataset.in !== "path") continue;
            if (input.dataset.in === "path") path = path.replace("{" + name + "}", encodeURIComponent(value));
            else if (input.dataset.in === "query") value.split(",").forEach(v => query.append(name, v.trim()));
            else if (input.dataset.in === "header") headers.set(name, value);
            else if (input.dataset.in === "cookie") document.cookie = encodeURIComponent(name) + "=" + encodeURIComponent(value) + "; path=/; SameSite=Strict";
          }
          const extra = $("#headers").value;
          sessionStorage.setItem("portico.headers", extra);
          for (const line of extra.split("\n")) { const i = line.indexOf(":"); if (i > 0) headers.set(line.slice(0, i).trim(), line.slice(i + 1).trim()); }
          if ($("#timeout").value) headers.set("X-Portico-Timeout", $("#timeout").value);
          const token = $("#token");
          if (token) {
            sessionStorage.setItem("portico.token", token.value.trim());
            const scheme = tokenScheme(current.op);
            if (scheme && token.value.trim()) scheme.apply(token.value.trim(), { headers, query });
          }
          const init = { method: current.verb, headers, credentials: "same-origin" };
          const body = $("#body");
          if (body) {
            if (body.dataset.media.startsWith("multipart/") || body.dataset.media.endsWith("urlencoded")) {
              init.body = new URLSearchParams(JSON.parse(body.value || "{}"));
            } else { init.body = body.value; headers.set("Content-Type", body.dataset.media); }
          }
          const stream = (current.op["x-portico"] || {}).serverStream;
          const url = path + (query.toString() ? "?" + query : "");
          const status = $("#status"), reply = $("#reply"), timing = $("#timing");
          status.className = ""; status.textContent = "sending " + current.verb + " " + url + " …";
          reply.textContent = ""; $("#errorbox").replaceChildren(); $("#resheaders").textContent = "";
          controller = new AbortController(); init.signal = controller.signal;
          const started = performance.now();
          try {
            const response = await fetch(url, init);
            status.textContent = response.status + " " + (response.statusText || "");
            status.className = response.ok ? "ok" : "bad";
            $("#resheaders").textContent = [...response.headers].map(([k, v]) => k + ": " + v).join("\n");
            if (stream && response.ok && response.body) {
              const reader = response.body.getReader(), decoder = new TextDecoder();
              let count = 0;
              for (;;) {
                const { value, done } = await reader.read();
                if (done) break;
                const text = decoder.decode(value, { stream: true });
                count += (text.match(/\n/g) || []).length;
                reply.textContent += text;
                timing.textContent = Math.round(performance.now() - started) + " ms · " + count + " messages";
              }
              timing.textContent = Math.round(performance.now() - started) + " ms · stream ended · " + count + " messages";
              return;
            }
            const text = await response.text();
            timing.textContent = Math.round(performance.now() - started) + " ms · " + text.length + " bytes";
            try {
              const json = JSON.parse(text);
              reply.textContent = JSON.stringify(json, null, 2);
              if (!response.ok && json && json.code) $("#errorbox").append(el("div", { class: "error-box" }, el("strong", {}, json.code), " — " + (json.message || "")));
            } catch { reply.textContent = text; }
          } catch (e) {
            status.className = "bad"; status.textContent = e.name === "AbortError" ? "stopped" : "request failed: " + e.message;
            timing.textContent = Math.round(performance.now() - started) + " ms";
          } finally { controller = null; }
        }
        $("#filter").addEventListener("input", renderList);
        window.addEventListener("hashchange", route);
        load();
        </script>
        </body>
        </html>
        """#
}
