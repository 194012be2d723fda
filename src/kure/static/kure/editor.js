// Progressive enhancement for the article editor: live preview and image upload without a page reload.
// Without this script every feature still works through the form's buttons.
(function () {
  "use strict";
  const form = document.getElementById("editor-form");
  if (!form) return;
  const body = form.querySelector("textarea[name=body]");
  const preview = document.getElementById("live-preview");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const base = location.pathname.split("/").slice(0, 3).join("/"); // "/<lang>/articles"
  let timer = null;

  async function refresh() {
    const data = new FormData();
    data.append("body", body.value);
    const response = await fetch(base + "/preview/", {
      method: "POST", body: data, headers: { "X-CSRFToken": csrf, "Accept": "application/json" },
    });
    if (response.ok) preview.innerHTML = (await response.json()).html; // server-sanitised HTML
  }
  body.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });

  const file = form.querySelector("input[name=insert_image]");
  const alt = form.querySelector("input[name=insert_image_alt]");
  const button = document.getElementById("upload-button");
  button.addEventListener("click", async function (event) {
    if (!file.files.length) return;
    event.preventDefault();
    const data = new FormData();
    data.append("image", file.files[0]);
    data.append("alt", alt.value);
    const response = await fetch(base + "/upload-image/", {
      method: "POST", body: data, headers: { "X-CSRFToken": csrf, "Accept": "application/json" },
    });
    const answer = await response.json();
    const note = document.getElementById("upload-error") || button.insertAdjacentElement("afterend", document.createElement("p"));
    note.id = "upload-error"; note.className = "error"; note.setAttribute("role", "alert");
    if (!response.ok) { note.textContent = answer.message; return; }
    note.textContent = "";
    const at = body.selectionStart || body.value.length;
    body.value = body.value.slice(0, at) + "\n\n" + answer.markdown + "\n\n" + body.value.slice(at);
    file.value = ""; alt.value = "";
    refresh();
  });
  if (!preview.innerHTML.trim()) refresh();
})();
