// City-scale pickers, no library (served by the app; no CDN on government intranets).
//
// 1. Grid picker: <input data-grid-picker="/territory/grids/search/?cap=…"> (governance.fields.GridField
//    for a scope of more than 50 grids) becomes a type-ahead. The code goes into a hidden input that
//    takes over the field's name; the visible box shows "name（code）" and the street › community path.
//    Without JavaScript the box is a plain text input taking a grid code, checked on the server.
// 2. Register pickers: <div class="register-pick" data-register-search="/registers/residents/search/">
//    around a hidden <select> (templates/_register_pick.html) get a search box and chips; the picks are
//    <option selected>s of that select, so the form posts the same field as before. Only rows of the
//    grid chosen in the same form are searched; changing the grid drops picks from another grid.
//    Residents are searched by POST (the query may be a full ID number, which must not go into a URL),
//    with the form's CSRF token; units by GET.
(function () {
  "use strict";
  var uid = 0;
  // Django's JavaScript catalogue (/jsi18n/, loaded by base.html) translates; Chinese is the source.
  var _ = window.gettext || function (s) { return s; };

  function closest(el, selector) {
    while (el && el.nodeType === 1) { if (el.matches(selector)) return el; el = el.parentNode; }
    return null;
  }

  // A combobox over a JSON search: calls search(q, done) and onPick(item); items have .label.
  function combo(input, opts) {
    var list = document.createElement("ul");
    list.className = "picker-list"; list.id = "picker-list-" + (++uid);
    list.setAttribute("role", "listbox"); list.hidden = true;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("autocomplete", "off");
    var items = [], active = -1, seq = 0, timer = null;

    function close() {
      list.hidden = true; active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function highlight(i) {
      var lis = list.querySelectorAll("[role=option]");
      if (!lis.length) return;
      active = (i + lis.length) % lis.length;
      lis.forEach(function (li, j) { li.setAttribute("aria-selected", j === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", lis[active].id);
      lis[active].scrollIntoView({ block: "nearest" });
    }
    function pick(i) {
      var item = items[i];
      if (!item) return;
      close();
      opts.onPick(item);
    }
    function show(results, message) {
      items = results; active = -1; list.innerHTML = "";
      results.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i; li.setAttribute("role", "option"); li.setAttribute("aria-selected", "false");
        li.className = "picker-option";
        var main = document.createElement("span"); main.textContent = item.label; li.appendChild(main);
        if (item.sub) { var sub = document.createElement("small"); sub.textContent = item.sub; li.appendChild(sub); }
        // pointerdown, not click: the input's blur must not close the list before the pick lands.
        li.addEventListener("pointerdown", function (e) { e.preventDefault(); pick(i); });
        li.addEventListener("click", function (e) { e.preventDefault(); });
        list.appendChild(li);
      });
      if (message || !results.length) {
        var note = document.createElement("li");
        note.className = "picker-note"; note.setAttribute("aria-disabled", "true");
        note.textContent = message || _("没有找到");
        list.appendChild(note);
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      if (list.scrollIntoView) list.scrollIntoView({ block: "nearest" });  // a phone's keyboard hides the rest
    }
    function run() {
      var q = input.value.trim(), mine = ++seq;
      if (!q && !opts.searchEmpty) { close(); return; }
      opts.search(q, function (results, message) { if (mine === seq) show(results, message); });
    }
    input.addEventListener("input", function () {
      if (opts.onType) opts.onType(input.value);
      clearTimeout(timer); timer = setTimeout(run, 200);
    });
    input.addEventListener("focus", function () { if (opts.searchEmpty && !input.value) run(); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") { e.preventDefault(); if (list.hidden) run(); else highlight(active + 1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); highlight(active - 1); }
      else if (e.key === "Enter") {
        if (!list.hidden && items.length) { e.preventDefault(); pick(active >= 0 ? active : 0); }
      } else if (e.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    return list;
  }

  // A search answer is {results, hint} (or {error}); a refusal (400, 429) says why in its hint or error.
  function answer(request, done) {
    request
      .then(function (r) { return r.json().catch(function () { return {}; }).then(function (d) { return [r.ok, d]; }); })
      .then(function (res) {
        var d = res[1] || {};
        done(res[0] ? (d.results || []) : [], d.hint || d.error || (res[0] ? "" : _("查找失败，请稍后再试")));
      })
      .catch(function () { done([], _("网络不可用，请稍后再试")); });
  }

  function getJSON(url, done) {
    answer(fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }), done);
  }

  // POSTed searches keep what is typed (a full ID number) out of URLs, logs and history.
  function postJSON(url, params, csrf, done) {
    var body = new URLSearchParams();
    Object.keys(params).forEach(function (k) { if (params[k]) body.set(k, params[k]); });
    answer(fetch(url, {
      method: "POST", credentials: "same-origin", body: body,
      headers: { Accept: "application/json", "X-CSRFToken": csrf }
    }), done);
  }

  // The CSRF token of the form a picker sits in (Django's {% csrf_token %}), else any on the page.
  function csrfToken(form) {
    var el = (form && form.querySelector("input[name=csrfmiddlewaretoken]")) ||
      document.querySelector("input[name=csrfmiddlewaretoken]");
    return el ? el.value : "";
  }

  function withQuery(url, params) {
    var u = new URL(url, window.location.href);
    Object.keys(params).forEach(function (k) { if (params[k]) u.searchParams.set(k, params[k]); });
    return u.pathname + u.search;
  }

  function change(el) { el.dispatchEvent(new Event("change", { bubbles: true })); }

  // ---- 1. the grid picker
  document.querySelectorAll("input[data-grid-picker]").forEach(function (input) {
    var url = input.getAttribute("data-grid-picker");
    var hidden = document.createElement("input");
    hidden.type = "hidden"; hidden.name = input.name; hidden.value = input.value.trim();
    input.removeAttribute("name");
    input.type = "search";
    input.setAttribute("data-grid-picker-box", "");
    var wrap = document.createElement("span");
    wrap.className = "picker";
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    wrap.appendChild(hidden);
    var path = document.createElement("small");
    path.className = "picker-path muted"; path.setAttribute("aria-live", "polite");
    wrap.parentNode.insertBefore(path, wrap.nextSibling);

    function choose(item, quiet) {
      input.value = item.label; hidden.value = item.code;
      path.textContent = item.path || "";
      if (!quiet) change(hidden);
    }
    var list = combo(input, {
      searchEmpty: true,
      search: function (q, done) {
        getJSON(withQuery(url, { q: q }), function (results, message) {
          done(results.map(function (g) { return { label: g.label, sub: g.path, code: g.code, path: g.path }; }), message);
        });
      },
      onPick: function (item) { choose(item); },
      onType: function (text) {
        // Typed, not picked: the server checks what was typed (a grid code, or says to pick one).
        var before = hidden.value;
        hidden.value = text.trim(); path.textContent = "";
        if (before !== hidden.value && /^\d{15}$/.test(hidden.value)) change(hidden);
      }
    });
    wrap.appendChild(list);
    if (/^\d{15}$/.test(hidden.value)) {  // a code from the server (initial or re-shown): show its name
      getJSON(withQuery(url, { q: hidden.value }), function (results) {
        var g = results.filter(function (r) { return r.code === hidden.value; })[0];
        if (g && input.value.trim() === hidden.value) choose({ label: g.label, code: g.code, path: g.path }, true);
      });
    }
  });

  // ---- 2. the register pickers
  document.querySelectorAll(".register-pick[data-register-search]").forEach(function (box) {
    var select = box.querySelector("select"), form = closest(box, "form");
    var multiple = box.hasAttribute("data-multiple"), residents = box.getAttribute("data-kind") === "residents";
    var url = box.getAttribute("data-register-search");
    var label = box.querySelector(".register-pick-label");
    box.querySelectorAll(".register-pick-noscript").forEach(function (el) { el.remove(); });
    var chips = document.createElement("ul");
    chips.className = "chips"; chips.setAttribute("aria-live", "polite");
    var wrap = document.createElement("span");
    wrap.className = "picker";
    var input = document.createElement("input");
    input.type = "search";
    input.className = "register-filter";
    input.placeholder = residents ? _("输入姓名或完整身份证号查找") : _("输入单位名称或信用代码查找");
    input.setAttribute("aria-label", (label ? label.textContent.trim() + "：" : "") + input.placeholder);
    input.setAttribute("data-testid", select.getAttribute("data-testid") + "-search");
    wrap.appendChild(input);
    box.appendChild(chips);
    box.appendChild(wrap);

    function grid() {
      var el = form && form.querySelector("[name=grid]");
      return el ? el.value.trim() : "";
    }
    function picked() {
      return Array.prototype.filter.call(select.options, function (o) { return o.value; });
    }
    function draw() {
      chips.innerHTML = "";
      picked().forEach(function (o) {
        var li = document.createElement("li");
        li.className = "chip";
        var text = document.createElement("span"); text.textContent = o.text; li.appendChild(text);
        var x = document.createElement("button");
        x.type = "button"; x.className = "chip-remove"; x.textContent = "×";
        x.setAttribute("aria-label", (window.interpolate || function (f, a) { return f.replace("%s", a[0]); })(_("移除 %s"), [o.text]));
        x.addEventListener("click", function () { o.remove(); draw(); input.focus(); });
        li.appendChild(x);
        chips.appendChild(li);
      });
      wrap.hidden = !multiple && picked().length > 0;
    }
    var list = combo(input, {
      search: function (q, done) {
        var params = { q: q, grid: /^\d{15}$/.test(grid()) ? grid() : "" };
        function got(results, message) {
          var have = picked().map(function (o) { return o.value; });
          done(results.filter(function (r) { return have.indexOf(String(r.id)) === -1; })
            .map(function (r) { return { label: r.label, sub: r.grid_name, id: r.id, grid: r.grid }; }), message);
        }
        // Residents are searched by POST (a GET with an ID number is refused); units by GET.
        if (residents) postJSON(url, params, csrfToken(form), got);
        else getJSON(withQuery(url, params), got);
      },
      onPick: function (item) {
        if (!multiple) picked().forEach(function (o) { o.remove(); });
        var o = document.createElement("option");
        o.value = String(item.id); o.text = item.label; o.selected = true; o.setAttribute("data-grid", item.grid);
        select.appendChild(o);
        input.value = "";
        draw();
        change(select);
      }
    });
    wrap.appendChild(list);
    if (form) form.addEventListener("change", function (e) {
      if (!e.target || e.target.name !== "grid") return;
      var code = grid();
      picked().forEach(function (o) { if (o.getAttribute("data-grid") && o.getAttribute("data-grid") !== code) o.remove(); });
      draw();
    });
    draw();
  });
})();
