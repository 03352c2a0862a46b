// Signing notifications in the browser. The delegate's key file (RSM-PARTY-KEY <PARTY>
// <64 hex seed>) is read here and imported into WebCrypto as an Ed25519 PKCS#8 key; it is
// never uploaded (its input has no name and no form sends it). The server prepares the exact
// bytes to sign; this script checks that they carry the commitment of the content it sends,
// signs them, and submits the envelope with the content.
(function () {
  "use strict";
  // PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410).
  const PKCS8_PREFIX = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];

  function hexToBytes(hex) {
    if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new Error("the key file's seed is not 64 hex digits");
    const out = new Uint8Array(32);
    for (let i = 0; i < 32; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
    return out;
  }
  function b64ToBytes(s) {
    const bin = atob(s);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  function bytesToB64(b) {
    let s = "";
    for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
    return btoa(s);
  }
  function toHex(b) {
    return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  }

  async function readKey(input, party) {
    const file = input.files && input.files[0];
    if (!file) throw new Error("choose your party's key file first");
    const words = (await file.text()).trim().split(/\s+/);
    if (words.length !== 3 || words[0] !== "RSM-PARTY-KEY") throw new Error("this is not an RSM party key file");
    if (words[1] !== party) throw new Error("this key is " + words[1] + "'s, not " + party + "'s");
    const der = new Uint8Array(48);
    der.set(PKCS8_PREFIX, 0);
    der.set(hexToBytes(words[2]), 16);
    return crypto.subtle.importKey("pkcs8", der, { name: "Ed25519" }, false, ["sign"]);
  }

  async function postJson(url, body, csrf) {
    const r = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrf-token": csrf, accept: "application/json" },
      body: JSON.stringify(body),
    });
    let json = null;
    try { json = await r.json(); } catch (_) { /* not JSON */ }
    return { status: r.status, json: json };
  }

  async function signAndSubmit(opts) {
    const prep = await postJson("/api/v1/notifications/prepare",
      { party: opts.party, type: opts.type, content: opts.content, data: opts.data || "" }, opts.csrf);
    if (prep.status !== 200) throw new Error((prep.json && prep.json.detail) || "could not prepare the entry");
    // The bytes to sign must carry the commitment of exactly this content.
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(opts.content)));
    const body = b64ToBytes(prep.json.body);
    const at = 1 + 1 + opts.party.length + 8 + 32 + 1 + prep.json.entry_type.length;
    if (toHex(body.slice(at, at + 32)) !== toHex(digest) || prep.json.commitment !== toHex(digest)) {
      throw new Error("the prepared entry does not commit to this content; nothing was signed");
    }
    const sig = new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, opts.key, b64ToBytes(prep.json.message)));
    const env = new Uint8Array(body.length + sig.length);
    env.set(body, 0);
    env.set(sig, body.length);
    return postJson("/api/v1/notifications", { envelope: bytesToB64(env), content: opts.content }, opts.csrf);
  }

  function say(form, text, isError) {
    const out = form.querySelector(".sign-result");
    out.textContent = text;
    out.classList.toggle("alert", !!isError);
  }

  function problemText(json) {
    if (!json) return "refused";
    if (json.errors) return json.errors.map((e) => e.path + ": " + e.message).join("; ");
    return json.detail || json.title || "refused";
  }

  const notify = document.getElementById("notify-form");
  if (notify) {
    notify.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const btn = notify.querySelector("#sign-submit");
      btn.disabled = true;
      try {
        const key = await readKey(notify.querySelector("#key-file"), notify.dataset.party);
        // The server builds the JSON from the form (one conversion, the same as validation).
        const fields = new URLSearchParams(new FormData(notify));
        const d = await fetch("/notifications/draft", {
          method: "POST", credentials: "same-origin",
          headers: { accept: "application/json", "content-type": "application/x-www-form-urlencoded" },
          body: fields.toString(),
        }).then((r) => r.json());
        if (!d.valid) throw new Error(d.errors.map((e) => e.path + ": " + e.message).join("; "));
        const r = await signAndSubmit({ party: notify.dataset.party, type: notify.dataset.type, content: d.content, key: key, csrf: notify.dataset.csrf });
        if (r.status !== 201) throw new Error(problemText(r.json));
        say(notify, "");
        const a = document.createElement("a");
        a.href = "/notifications/" + r.json.index;
        a.id = "submitted-link";
        a.textContent = "#" + r.json.index + (r.json.status ? " (" + r.json.status + ")" : "");
        notify.querySelector(".sign-result").append("Submitted to the log: ", a);
      } catch (e) {
        say(notify, e.message || String(e), true);
      } finally {
        btn.disabled = false;
      }
    });
  }

  const ack = document.getElementById("ack-form");
  if (ack) {
    ack.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const btn = ack.querySelector("#ack-button");
      btn.disabled = true;
      try {
        const key = await readKey(ack.querySelector("#key-file"), ack.dataset.party);
        const of = ack.dataset.of;
        const r = await signAndSubmit({ party: ack.dataset.party, type: "notification-ack", content: JSON.stringify({ of: of }), data: "ack " + of, key: key, csrf: ack.dataset.csrf });
        if (r.status !== 201) throw new Error(problemText(r.json));
        window.location.reload();
      } catch (e) {
        say(ack, e.message || String(e), true);
        btn.disabled = false;
      }
    });
  }
})();
