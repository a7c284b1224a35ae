/* Chorus inbox: progressive enhancement. Every page works without this script; with it, forms submit in
   place, new activity appears live (Server-Sent Events) and the keyboard drives the common actions.
   All text from the server that is inserted here is either HTML the server rendered (and escaped) or is
   set with textContent, never innerHTML. */
(function () {
  "use strict";

  var body = document.body;
  var page = body.getAttribute("data-page") || "";
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute("content") : "";
  var strings = {};
  try { strings = JSON.parse((document.getElementById("i18n") || {}).textContent || "{}"); } catch (e) { strings = {}; }
  var locale = body.getAttribute("data-locale") || "en";

  function t(key, params) {
    var s = strings[key] || key;
    Object.keys(params || {}).forEach(function (k) { s = s.split("{" + k + "}").join(String(params[k])); });
    return s;
  }

  /* ---- times in the reader's time zone ---- */
  var fmtTime = new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit" });
  var fmtDate = new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  function localTimes(root) {
    (root || document).querySelectorAll("time.rel[datetime]").forEach(function (el) {
      var d = new Date(el.getAttribute("datetime"));
      if (isNaN(d)) { return; }
      var now = new Date();
      el.textContent = d.toDateString() === now.toDateString() ? fmtTime.format(d) : fmtDate.format(d);
      el.title = d.toLocaleString(locale);
    });
  }
  localTimes();

  /* ---- forms submitted in place ---- */
  function post(form) {
    var data = new FormData(form);
    return fetch(form.action, {
      method: "POST", body: new URLSearchParams(data), credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "X-CSRF-Token": csrf, "Accept": "application/json" }
    }).then(function (r) {
      return r.json().catch(function () { return { ok: false, message: t("failed") }; }).then(function (j) {
        j.status = r.status; return j;
      });
    });
  }

  function showError(form, message) {
    var target = form.id === "reply-form" ? document.getElementById("reply-error") : null;
    if (!target) {
      target = form.querySelector(".form-error");
      if (!target) { target = document.createElement("p"); target.className = "error form-error"; form.appendChild(target); }
    }
    target.textContent = message || t("failed");
    target.hidden = false;
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.hasAttribute("data-ajax")) { return; }
    ev.preventDefault();
    if (form.dataset.busy === "1") { return; }  /* a double click sends once */
    form.dataset.busy = "1";
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    post(form).then(function (res) {
      if (!res.ok) { showError(form, res.message); return; }
      var err = form.querySelector(".form-error"); if (err) { err.hidden = true; }
      if (form.id === "reply-form") {
        var text = document.getElementById("reply-text");
        text.value = ""; updateCounter();
        if (res.next_reply_id) { form.querySelector('[name="reply_id"]').value = res.next_reply_id; }
        document.getElementById("reply-error").hidden = true;
      } else if (form.classList.contains("note-form") || form.classList.contains("tag-form")) {
        form.reset();
      }
      refreshConversation();
    }).catch(function () { showError(form, t("failed")); })
      .then(function () { form.dataset.busy = ""; buttons.forEach(function (b) { b.disabled = false; }); });
  });

  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (!el.hasAttribute || !el.hasAttribute("data-autosubmit") || !el.form) { return; }
    if (el.form.hasAttribute("data-ajax")) { el.form.requestSubmit(); } else { el.form.submit(); }
  });

  /* ---- reply box: counter, canned replies, reply-to ---- */
  var replyText = document.getElementById("reply-text");
  var replyForm = document.getElementById("reply-form");
  var URL_RE = /(https?:\/\/|www\.)[^\s<>"']+/gi;
  function weighted(text) {
    var n = 0, stripped = text.replace(URL_RE, function () { n += 23; return ""; });
    for (var ch of stripped) {
      var c = ch.codePointAt(0);
      n += (c <= 0x10FF || (c >= 0x2000 && c <= 0x200D) || (c >= 0x2010 && c <= 0x201F) || (c >= 0x2032 && c <= 0x2037)) ? 1 : 2;
    }
    return n;
  }
  function updateCounter() {
    if (!replyText || !replyForm) { return; }
    var max = parseInt(replyForm.getAttribute("data-limit"), 10);
    var value = replyText.value.trim();
    var n = replyForm.getAttribute("data-counting") === "weighted" ? weighted(value) : Array.from(value).length;
    var counter = document.getElementById("reply-counter");
    counter.textContent = counter.getAttribute("data-template").replace("{n}", n).replace("{max}", max);
    counter.classList.toggle("over", n > max);
    document.getElementById("reply-send").disabled = n > max;
  }
  if (replyText) {
    replyText.addEventListener("input", updateCounter);
    replyText.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); replyForm.requestSubmit(); }
    });
    updateCounter();
  }
  var canned = document.getElementById("canned");
  if (canned) {
    canned.addEventListener("change", function () {
      if (!canned.value) { return; }
      replyText.value = replyText.value ? replyText.value + "\n" + canned.value : canned.value;
      canned.value = ""; updateCounter(); replyText.focus();
    });
  }
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest ? ev.target.closest("[data-reply-to]") : null;
    if (btn && replyForm) {
      document.getElementById("reply-target").value = btn.getAttribute("data-reply-to");
      var label = document.getElementById("reply-to-label");
      label.textContent = t("reply_to", { name: btn.getAttribute("data-reply-name") });
      replyText.focus();
    }
    var help = ev.target.closest ? ev.target.closest('[data-action="help"]') : null;
    if (help) { openHelp(); }
  });

  /* ---- live parts of a conversation ---- */
  var conversationId = body.getAttribute("data-conversation");
  var refreshing = null;
  function refreshConversation() {
    if (!conversationId) { return; }
    if (refreshing) { refreshing.again = true; return; }
    refreshing = { again: false };
    fetch("/c/" + encodeURIComponent(conversationId) + "/parts", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (parts) {
        if (!parts) { return; }
        ["header", "thread", "side"].forEach(function (name) {
          var el = document.getElementById(name === "header" ? "conv-header" : name === "thread" ? "conv-thread" : "conv-side");
          if (!el) { return; }
          /* keep what the person is typing in the side panel (tags, note) across the refresh */
          var typed = {}, focused = null;
          el.querySelectorAll("input[type=text], input:not([type]), textarea").forEach(function (f) {
            var key = (f.form ? f.form.getAttribute("action") : "") + "|" + f.name;
            if (f.value) { typed[key] = f.value; }
            if (f === document.activeElement) { focused = key; }
          });
          el.innerHTML = parts[name];  /* server-rendered, escaped HTML */
          el.querySelectorAll("input[type=text], input:not([type]), textarea").forEach(function (f) {
            var key = (f.form ? f.form.getAttribute("action") : "") + "|" + f.name;
            if (typed[key]) { f.value = typed[key]; }
            if (key === focused) { f.focus(); }
          });
          localTimes(el);
        });
      })
      .catch(function () {})
      .then(function () { var again = refreshing && refreshing.again; refreshing = null; if (again) { refreshConversation(); } });
  }

  /* ---- live rows of the inbox ---- */
  var list = document.getElementById("conv-list");
  var pending = {};
  var timer = null;
  function queueRow(id) {
    pending[id] = true;
    if (!timer) { timer = setTimeout(flushRows, 250); }
  }
  function flushRows() {
    timer = null;
    var ids = Object.keys(pending); pending = {};
    if (!ids.length || !list) { return; }
    var filters = body.getAttribute("data-filters") || "";
    fetch("/inbox/rows?" + filters + (filters ? "&" : "") + "ids=" + encodeURIComponent(ids.join(",")),
      { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        var tmp = document.createElement("ul");
        tmp.innerHTML = html;  /* server-rendered, escaped HTML */
        var found = {};
        Array.from(tmp.children).forEach(function (li) { found[li.getAttribute("data-id")] = li; });
        ids.forEach(function (id) {
          var old = list.querySelector('li[data-id="' + CSS.escape(id) + '"]');
          var fresh = found[id];
          if (old) { old.remove(); }
          if (fresh) {
            fresh.classList.add("is-new");
            insertSorted(fresh);
            localTimes(fresh);
          }
        });
        var empty = document.getElementById("empty-list");
        if (empty && list.children.length) { empty.hidden = true; }
      }).catch(function () {});
  }
  function resyncList() {
    if (!list || body.getAttribute("data-cursor-page") === "1") { return; }
    fetch("/inbox/rows?" + (body.getAttribute("data-filters") || ""), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        var selectedId = selected >= 0 && rows()[selected] ? rows()[selected].getAttribute("data-id") : null;
        list.innerHTML = html;  /* server-rendered, escaped HTML */
        localTimes(list);
        var empty = document.getElementById("empty-list");
        if (empty) { empty.hidden = list.children.length > 0; }
        if (selectedId) {
          var i = rows().findIndex(function (li) { return li.getAttribute("data-id") === selectedId; });
          if (i >= 0) { select(i); }
        }
      }).catch(function () {});
  }
  function insertSorted(li) {
    var last = li.getAttribute("data-last");
    var rows = list.children;
    for (var i = 0; i < rows.length; i++) {
      if ((rows[i].getAttribute("data-last") || "") < last) { list.insertBefore(li, rows[i]); return; }
    }
    list.appendChild(li);
  }

  /* ---- alerts banner ---- */
  var banner = document.getElementById("alert-banner");
  function showAlert(notice) {
    if (!banner) { return; }
    banner.querySelector(".alert-banner-text").textContent = notice.title + (notice.summary ? " — " + notice.summary : "");
    banner.className = "alert-banner sev-" + (notice.severity || "warning");
    banner.hidden = false;
  }
  if (banner) {
    banner.querySelector(".alert-banner-close").addEventListener("click", function () { banner.hidden = true; });
  }

  /* ---- the event stream ---- */
  if (window.EventSource && csrf) {
    var status = document.getElementById("live-status");
    var source = new EventSource("/events");
    source.addEventListener("open", function () {
      if (status) { status.hidden = true; }
      /* whatever changed between rendering the page and subscribing (or while disconnected) */
      if (page === "inbox") { resyncList(); }
      if (conversationId) { refreshConversation(); }
    });
    source.addEventListener("error", function () { if (status) { status.hidden = false; } });
    source.addEventListener("conversation", function (ev) {
      var notice = JSON.parse(ev.data);
      if (page === "inbox") { queueRow(notice.conversation_id); }
      if (conversationId && notice.conversation_id === conversationId) { refreshConversation(); }
    });
    source.addEventListener("alert", function (ev) {
      showAlert(JSON.parse(ev.data));
      if (page === "alerts") { setTimeout(function () { location.reload(); }, 300); }
    });
    source.addEventListener("post", function (ev) {
      document.dispatchEvent(new CustomEvent("chorus:post", { detail: JSON.parse(ev.data) }));
    });
    source.addEventListener("open", function () { document.dispatchEvent(new CustomEvent("chorus:live")); });
    source.addEventListener("reload", function () { document.dispatchEvent(new CustomEvent("chorus:reload")); });
    window.addEventListener("beforeunload", function () { source.close(); });
  }

  /* The server dropped notices this tab was too slow to read (it closed the stream; the browser reconnects).
     A page is reloaded to show the truth, unless the user has typed or chosen something there that a reload
     would throw away (a composer, a reply, a note): then a bar offers the reload instead. */
  function controls() {
    return Array.from(document.querySelectorAll(".main form textarea, .main form input, .main form select")).filter(function (el) {
      return ["hidden", "submit", "button", "file", "reset", "image"].indexOf(el.type) < 0;
    });
  }
  function state(el) {
    if (el.type === "checkbox" || el.type === "radio") { return el.checked ? "1" : ""; }
    if (el.tagName === "SELECT") { return Array.from(el.selectedOptions).map(function (o) { return o.value; }).join("\n"); }
    return el.value;
  }
  function rendered(el) {  /* the state a control was given by its HTML */
    if (el.type === "checkbox" || el.type === "radio") { return el.defaultChecked ? "1" : ""; }
    if (el.tagName === "SELECT") {
      var chosen = Array.from(el.options).filter(function (o) { return o.defaultSelected; });
      if (!chosen.length && !el.multiple && el.options.length) { chosen = [el.options[0]]; }
      return chosen.map(function (o) { return o.value; }).join("\n");
    }
    return el.defaultValue;
  }
  function unsaved() {
    /* every control, including those inserted since (a per-account text, a refreshed part of a
       conversation), against its own HTML; images added in the composer count too */
    return controls().some(function (el) { return state(el) !== rendered(el); })
      || !!document.querySelector("#thumbs .thumb");
  }
  document.addEventListener("chorus:reload", function () {
    if (!unsaved()) { location.reload(); return; }
    var bar = document.getElementById("live-missed");
    if (bar) { bar.hidden = false; }
  });
  (function () {
    var bar = document.getElementById("live-missed");
    if (bar) { bar.querySelector("button").addEventListener("click", function () { location.reload(); }); }
  })();

  /* ---- keyboard ---- */
  var selected = -1;
  function rows() { return list ? Array.from(list.querySelectorAll("li.conv-row")) : []; }
  function select(i) {
    var all = rows(); if (!all.length) { return; }
    selected = Math.max(0, Math.min(all.length - 1, i));
    all.forEach(function (li, n) { li.classList.toggle("selected", n === selected); });
    all[selected].scrollIntoView({ block: "nearest" });
    all[selected].querySelector("a").focus({ preventScroll: true });
  }
  function openHelp() { var d = document.getElementById("help"); if (d && !d.open) { d.showModal(); } }
  function clickShortcut(key) {
    var b = document.querySelector('[data-shortcut="' + key + '"]');
    if (b) { b.click(); }
  }
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    var tag = (ev.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || ev.target.isContentEditable) {
      if (ev.key === "Escape") { ev.target.blur(); }
      return;
    }
    var key = ev.key;
    if (key === "?") { ev.preventDefault(); openHelp(); return; }
    if (key === "/") {
      var box = document.getElementById("search-box");
      if (box) { ev.preventDefault(); box.focus(); box.select(); } else { location.href = "/inbox"; }
      return;
    }
    if (page === "inbox") {
      if (key === "j") { select(selected + 1); }
      else if (key === "k") { select(selected - 1); }
      else if (key === "Enter" && selected >= 0) { rows()[selected].querySelector("a").click(); }
      return;
    }
    if (page === "conversation") {
      if (key === "j" && body.getAttribute("data-next")) { location.href = "/c/" + body.getAttribute("data-next"); }
      else if (key === "k" && body.getAttribute("data-prev")) { location.href = "/c/" + body.getAttribute("data-prev"); }
      else if (key === "r" && replyText) { ev.preventDefault(); replyText.focus(); }
      else if (key === "c") { clickShortcut("c"); }
      else if (key === "a") { clickShortcut("a"); }
      else if (key === "Escape") { location.href = "/inbox"; }
    }
  });
})();
