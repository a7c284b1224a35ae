/* Chorus publishing: the composer (live preview and counts, uploads, link preview), the calendar (drag to
   reschedule, live) and the post page (live states). Text from the server is set with textContent; HTML
   from the server is the server's own escaped rendering. */
(function () {
  "use strict";

  var body = document.body;
  var page = body.getAttribute("data-page") || "";
  var ws = body.getAttribute("data-ws") || "";
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute("content") : "";
  var locale = body.getAttribute("data-locale") || "en";

  function strings(id) {
    try { return JSON.parse((document.getElementById(id) || {}).textContent || "{}"); } catch (e) { return {}; }
  }
  function fill(template, params) {
    var s = template || "";
    Object.keys(params || {}).forEach(function (k) { s = s.split("{" + k + "}").join(String(params[k])); });
    return s;
  }
  function headers(extra) {
    var h = { "X-Requested-With": "fetch", "X-CSRF-Token": csrf, "Accept": "application/json" };
    Object.keys(extra || {}).forEach(function (k) { h[k] = extra[k]; });
    return h;
  }
  function postJSON(url, data, extra) {
    return fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: headers(extra) })
      .then(function (r) {
        return r.json().catch(function () { return { ok: false }; }).then(function (j) { j.status = r.status; return j; });
      });
  }
  function debounce(fn, ms) {
    var timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }

  /* forms that ask first */
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { ev.preventDefault(); }
  });

  /* ---------------- composer ---------------- */
  function composer() {
    var form = document.getElementById("composer");
    if (!form) { return; }
    var S = strings("composer-strings");
    var text = document.getElementById("post-text");
    var previews = document.getElementById("previews");
    var counters = document.getElementById("counters");
    var timeInfo = document.getElementById("time-info");
    var errorBox = document.getElementById("compose-error");
    var uploadError = document.getElementById("upload-error");
    var thumbs = document.getElementById("thumbs");
    var tz = form.getAttribute("data-time-zone") || "UTC";
    var cardTemplate = document.getElementById("preview-card");
    var cards = {};

    function mode() {
      var checked = form.querySelector('input[name="mode"]:checked');
      return checked ? checked.value : "at";
    }
    function syncMode() {
      var m = mode();
      form.querySelectorAll(".when-fields").forEach(function (el) {
        el.hidden = (el.getAttribute("data-for") || "").split(" ").indexOf(m) < 0;
      });
      var button = document.getElementById("submit-post");
      var label = button.getAttribute("data-label-" + m);
      if (label) { button.textContent = label; }
    }
    function chosenNetworks() {
      var found = {};
      form.querySelectorAll('input[name="accounts"]:checked').forEach(function (box) { found[box.getAttribute("data-network")] = true; });
      return found;
    }
    function syncVariants() {
      var nets = chosenNetworks();
      form.querySelectorAll(".variant").forEach(function (el) { el.hidden = !nets[el.getAttribute("data-network")]; });
    }

    function card(target) {
      var found = cards[target.account_id];
      if (found) { return found; }
      var node = cardTemplate.content.firstElementChild.cloneNode(true);
      node.setAttribute("data-account", target.account_id);
      var area = node.querySelector(".pv-variant");
      area.name = "variant_acc:" + target.account_id;
      var kept = form.querySelector('input[data-account-variant][name="variant_acc:' + CSS.escape(target.account_id) + '"]');
      if (kept) { area.value = kept.value; area.hidden = false; kept.remove(); }
      node.querySelector(".pv-edit").addEventListener("click", function () { area.hidden = !area.hidden; if (!area.hidden) { area.focus(); } });
      cards[target.account_id] = node;
      return node;
    }
    function render(answer) {
      var targets = answer.targets || [];
      var seen = {};
      if (!targets.length) {
        Object.keys(cards).forEach(function (id) { if (!cards[id].querySelector(".pv-variant").value) { delete cards[id]; } });
        previews.textContent = "";
        var p = document.createElement("p");
        p.className = "muted small";
        p.textContent = answer.error || S.no_accounts;
        previews.appendChild(p);
      } else {
        previews.querySelectorAll("p.muted").forEach(function (p) { p.remove(); });
      }
      targets.forEach(function (t, index) {
        var node = card(t);
        seen[t.account_id] = true;
        var net = node.querySelector(".net");
        net.className = "net net-sm net-" + t.network;
        net.textContent = { vk: "VK", x: "X", telegram: "TG", facebook: "FB" }[t.network] || "?";
        node.querySelector(".pv-name").textContent = t.name;
        var count = node.querySelector(".pv-count");
        count.textContent = fill(S.count, { n: t.length, max: t.maximum }) + (t.counting === "weighted" ? " · " + S.weighted : "");
        count.classList.toggle("over", t.length > t.maximum);
        node.querySelector(".pv-text").textContent = t.text;
        var media = node.querySelector(".pv-media");
        media.textContent = "";
        thumbs.querySelectorAll(".thumb img").forEach(function (img) {
          var copy = document.createElement("img");
          copy.src = img.src; copy.alt = "";
          media.appendChild(copy);
        });
        var problem = node.querySelector(".pv-problem");
        problem.hidden = !t.problem;
        problem.textContent = t.problem || "";
        node.classList.toggle("has-problem", !!t.problem);
        var q = node.querySelector(".pv-queue");
        var slot = (answer.queue || {})[t.account_id];
        q.hidden = mode() !== "queue";
        q.textContent = slot ? fill(S.next_free, { time: slot }) : S.no_free;
        if (previews.children[index] !== node) { previews.insertBefore(node, previews.children[index] || null); }
      });
      Object.keys(cards).forEach(function (id) {
        if (!seen[id]) { cards[id].remove(); if (!cards[id].querySelector(".pv-variant").value) { delete cards[id]; } }
      });
      var byNet = {};
      targets.forEach(function (t) {
        var cur = byNet[t.network];
        if (!cur || t.length - t.maximum > cur.length - cur.maximum) { byNet[t.network] = t; }
      });
      counters.textContent = "";
      Object.keys(byNet).forEach(function (n) {
        var t = byNet[n], chip = document.createElement("span");
        chip.className = "counter-chip" + (t.length > t.maximum ? " over" : "");
        chip.setAttribute("data-network", n);
        var badge = document.createElement("span");
        badge.className = "net net-xs net-" + n;
        badge.textContent = { vk: "VK", x: "X", telegram: "TG", facebook: "FB" }[n] || "?";
        chip.appendChild(badge);
        chip.appendChild(document.createTextNode(" " + fill(S.count, { n: t.length, max: t.maximum })));
        counters.appendChild(chip);
      });
      timeInfo.classList.toggle("error-text", !!answer.time_error);
      if (answer.time_error) { timeInfo.textContent = answer.time_error; }
      else if (answer.time && (mode() === "at" || mode() === "recurring")) {
        var fmt = new Intl.DateTimeFormat(locale, { timeZone: tz, weekday: "short", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit" });
        timeInfo.textContent = fill(S.at_time, { time: fmt.format(new Date(answer.time)), zone: tz });
      } else { timeInfo.textContent = ""; }
    }
    var pending = null;
    function refresh() {
      var data = new URLSearchParams(new FormData(form));
      var ask = postJSON("/posts/" + encodeURIComponent(ws) + "/preview", data, { "Content-Type": "application/x-www-form-urlencoded" });
      pending = ask;
      ask.then(function (answer) { if (pending === ask) { render(answer); } }).catch(function () {});
    }
    var soon = debounce(refresh, 150);

    /* link preview */
    var linkBox = document.getElementById("link-preview");
    var lastLink = null;
    var LINK = /(https?:\/\/[^\s<>"']+|www\.[^\s<>"']+)/i;
    var linkSoon = debounce(function () {
      var m = (text.value || "").match(LINK);
      var url = m ? m[1].replace(/[.,!?:;…)»]+$/, "") : null;
      if (url === lastLink) { return; }
      lastLink = url;
      if (!url) { linkBox.hidden = true; return; }
      fetch("/posts/" + encodeURIComponent(ws) + "/link-preview?url=" + encodeURIComponent(url), { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (j) {
          if (url !== lastLink) { return; }
          if (!j.ok) { linkBox.hidden = true; return; }
          linkBox.querySelector(".link-host").textContent = j.preview.site || j.preview.host;
          linkBox.querySelector(".link-title").textContent = j.preview.title;
          linkBox.querySelector(".link-desc").textContent = j.preview.description;
          linkBox.hidden = false;
        }).catch(function () { linkBox.hidden = true; });
    }, 600);

    /* images */
    function addThumb(info) {
      var fig = document.createElement("figure");
      fig.className = "thumb";
      fig.setAttribute("data-media", info.media_id);
      var img = document.createElement("img");
      img.src = info.url; img.alt = info.name;
      var input = document.createElement("input");
      input.type = "hidden"; input.name = "media"; input.value = info.media_id;
      var x = document.createElement("button");
      x.type = "button"; x.className = "thumb-x"; x.textContent = "×"; x.setAttribute("aria-label", S.remove);
      fig.appendChild(img); fig.appendChild(input); fig.appendChild(x);
      return fig;
    }
    document.getElementById("media-input").addEventListener("change", function (ev) {
      uploadError.hidden = true;
      Array.from(ev.target.files || []).forEach(function (file) {
        var holder = document.createElement("figure");
        holder.className = "thumb uploading";
        holder.textContent = S.uploading;
        thumbs.appendChild(holder);
        fetch("/posts/" + encodeURIComponent(ws) + "/media", {
          method: "POST", body: file, credentials: "same-origin",
          headers: headers({ "Content-Type": file.type || "application/octet-stream", "X-File-Name": encodeURIComponent(file.name) })
        }).then(function (r) { return r.json(); }).then(function (j) {
          if (!j.ok) { holder.remove(); uploadError.textContent = j.message || S.failed; uploadError.hidden = false; return; }
          thumbs.replaceChild(addThumb(j), holder);
          soon();
        }).catch(function () { holder.remove(); uploadError.textContent = S.failed; uploadError.hidden = false; });
      });
      ev.target.value = "";
    });
    thumbs.addEventListener("click", function (ev) {
      var x = ev.target.closest(".thumb-x");
      if (x) { x.closest(".thumb").remove(); soon(); }
    });

    form.addEventListener("input", function (ev) { soon(); if (ev.target === text) { linkSoon(); } });
    form.addEventListener("change", function () { syncMode(); syncVariants(); soon(); });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (form.dataset.busy === "1") { return; }
      form.dataset.busy = "1";
      var data = new FormData(form);
      data.set("intent", ev.submitter && ev.submitter.value === "draft" ? "draft" : "submit");
      var buttons = form.querySelectorAll(".compose-actions button");
      buttons.forEach(function (b) { b.disabled = true; });
      postJSON(form.action, new URLSearchParams(data), { "Content-Type": "application/x-www-form-urlencoded" })
        .then(function (res) {
          if (res.ok && res.location) { location.href = res.location; return; }
          errorBox.textContent = res.message || S.failed;
          errorBox.hidden = false;
          errorBox.scrollIntoView({ block: "center" });
        })
        .catch(function () { errorBox.textContent = S.failed; errorBox.hidden = false; })
        .then(function () { form.dataset.busy = ""; buttons.forEach(function (b) { b.disabled = false; }); });
    });
    syncMode(); syncVariants(); refresh(); linkSoon();
  }

  /* ---------------- calendar ---------------- */
  function calendar() {
    var root = document.getElementById("calendar");
    if (!root) { return; }
    var S = strings("calendar-strings");
    var toast = document.getElementById("calendar-error");
    var dragged = null;

    function scrollToMorning() {
      var week = root.querySelector(".cal-week");
      var row = root.querySelector('.cal-cell[data-hour="7"]');
      if (week && row && !root.dataset.scrolled) { week.scrollTop = row.offsetTop - week.offsetTop - 36; root.dataset.scrolled = "1"; }
    }
    var loading = null;
    function reload() {
      if (loading) { loading.again = true; return; }
      loading = { again: false };
      var keep = root.querySelector(".cal-week") ? root.querySelector(".cal-week").scrollTop : 0;
      fetch(root.getAttribute("data-grid-url"), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (html === null) { return; }
          root.innerHTML = html;  /* server-rendered, escaped HTML */
          var week = root.querySelector(".cal-week");
          if (week) { week.scrollTop = keep; }
        }).catch(function () {})
        .then(function () { var again = loading.again; loading = null; if (again) { reload(); } });
    }
    var reloadSoon = debounce(reload, 250);
    function showError(message) {
      toast.textContent = message || S.failed;
      toast.hidden = false;
      setTimeout(function () { toast.hidden = true; }, 6000);
    }
    root.addEventListener("dragstart", function (ev) {
      var card = ev.target.closest && ev.target.closest("[data-movable]");
      if (!card) { return; }
      dragged = card;
      ev.dataTransfer.effectAllowed = "move";
      ev.dataTransfer.setData("text/plain", card.getAttribute("data-post"));
      card.classList.add("dragging");
    });
    root.addEventListener("dragend", function () {
      if (dragged) { dragged.classList.remove("dragging"); }
      root.querySelectorAll(".drop-hover").forEach(function (el) { el.classList.remove("drop-hover"); });
    });
    function dropTarget(ev) {
      var cell = ev.target.closest && ev.target.closest("[data-drop-hour], [data-drop-day]");
      return cell && !cell.classList.contains("is-past") ? cell : null;
    }
    root.addEventListener("dragover", function (ev) {
      var cell = dropTarget(ev);
      if (!cell || !dragged) { return; }
      ev.preventDefault();
      root.querySelectorAll(".drop-hover").forEach(function (el) { if (el !== cell) { el.classList.remove("drop-hover"); } });
      cell.classList.add("drop-hover");
    });
    root.addEventListener("drop", function (ev) {
      var cell = dropTarget(ev);
      if (!cell || !dragged) { return; }
      ev.preventDefault();
      var time = dragged.getAttribute("data-time") || "10:00:00";
      var at = cell.hasAttribute("data-drop-hour") ? cell.getAttribute("data-drop-hour") + time.slice(2)
        : cell.getAttribute("data-drop-day") + "T" + time;
      var postId = dragged.getAttribute("data-post");
      cell.appendChild(dragged);  /* show it there at once; the reload below shows the truth */
      dragged.classList.add("moving");
      dragged = null;
      postJSON("/posts/" + encodeURIComponent(ws) + "/p/" + encodeURIComponent(postId) + "/move",
        new URLSearchParams({ at: at }), { "Content-Type": "application/x-www-form-urlencoded" })
        .then(function (res) { if (!res.ok) { showError(res.message); } reload(); })
        .catch(function () { showError(); reload(); });
    });
    document.addEventListener("chorus:post", reloadSoon);
    document.addEventListener("chorus:live", reloadSoon);
    scrollToMorning();
  }

  /* ---------------- post page ---------------- */
  function postPage() {
    var root = document.getElementById("post-parts");
    var postId = body.getAttribute("data-post");
    if (!root) { return; }
    function reload() {
      fetch(root.getAttribute("data-url"), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html !== null) { root.innerHTML = html; } })  /* server-rendered, escaped */
        .catch(function () {});
    }
    var soon = debounce(reload, 150);
    document.addEventListener("chorus:post", function (ev) { if (ev.detail && ev.detail.post_id === postId) { soon(); } });
    document.addEventListener("chorus:live", soon);
  }

  if (page === "composer") { composer(); }
  if (page === "calendar") { calendar(); }
  if (page === "post") { postPage(); }
})();
