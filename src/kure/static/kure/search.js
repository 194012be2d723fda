// Title suggestions for the header search box: a listbox under the box, filled as the reader types.
// Without this script the box is a plain form that opens the search page.
(function () {
  "use strict";
  const form = document.querySelector("form.header-search");
  if (!form || !window.fetch) return;
  const input = form.querySelector("input[name=q]");
  const list = document.getElementById(input.getAttribute("aria-controls"));
  const url = form.dataset.suggestUrl;
  let timer = null;
  let controller = null;
  let active = -1;

  function options() {
    return Array.prototype.slice.call(list.querySelectorAll("[role=option]"));
  }

  function close() {
    list.hidden = true;
    list.textContent = "";
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    const all = options();
    if (!all.length) return;
    active = (index + all.length) % all.length;
    all.forEach(function (option, i) { option.setAttribute("aria-selected", i === active ? "true" : "false"); });
    input.setAttribute("aria-activedescendant", all[active].id);
    all[active].scrollIntoView({ block: "nearest" });
  }

  function show(results) {
    list.textContent = "";
    active = -1;
    input.removeAttribute("aria-activedescendant");
    results.forEach(function (item, i) {
      const option = document.createElement("li");
      option.id = "header-suggestion-" + i;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      const link = document.createElement("a");
      link.href = item.url;
      link.textContent = item.title; // text, never HTML: titles are what people typed
      link.tabIndex = -1;
      option.appendChild(link);
      list.appendChild(option);
    });
    list.hidden = results.length === 0;
    input.setAttribute("aria-expanded", results.length ? "true" : "false");
  }

  async function fetchSuggestions() {
    const text = input.value;
    if (text.trim().length < 2) { close(); return; }
    if (controller) controller.abort();
    controller = new AbortController();
    try {
      const response = await fetch(url + "?q=" + encodeURIComponent(text), {
        headers: { "Accept": "application/json" }, signal: controller.signal,
      });
      if (!response.ok) { close(); return; }
      const data = await response.json();
      if (input.value === text) show(data.results || []);
    } catch (error) {
      if (error.name !== "AbortError") close();
    }
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(fetchSuggestions, 200);
  });
  input.addEventListener("keydown", function (event) {
    if (list.hidden) return;
    if (event.key === "ArrowDown") { event.preventDefault(); highlight(active + 1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active - 1); }
    else if (event.key === "Escape") { close(); }
    else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      window.location.assign(options()[active].querySelector("a").href);
    }
  });
  // A click on a suggestion follows its link; mousedown keeps the box from losing focus (and closing) first.
  list.addEventListener("mousedown", function (event) { event.preventDefault(); });
  input.addEventListener("blur", function () { setTimeout(close, 150); });
})();
