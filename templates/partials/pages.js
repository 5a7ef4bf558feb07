  // A single-file site (templates/site.html): the overview is the page and each model page waits in a
  // template element whose data-page is its path ("<slug>/index.html"). A link to one (the site's own hrefs) shows
  // it in place: no reload and no change of address, which inside a tracker's sandboxed frame is not the
  // page's own. Any other page has no such template, and this only calls start().
  var main = document.querySelector("main");
  var data = document.getElementById("report-data");
  var pages = {};
  var current = "index.html";

  function remember(path, content, payload, title) {
    pages[path] = { content: content, payload: payload, title: title };
  }

  function collect() {
    document.querySelectorAll("template[data-page]").forEach(function (t) {
      var payload = t.content.querySelector("script[data-payload]");
      payload.remove();
      remember(t.dataset.page, t.content, payload.textContent, t.dataset.title);
    });
    if (!Object.keys(pages).length) return false;
    var overview = document.createDocumentFragment();
    main.childNodes.forEach(function (node) { overview.appendChild(node.cloneNode(true)); });
    remember(current, overview, data.textContent, document.title);  // as written, before it is drawn
    return true;
  }

  // A link's target as a path in the site folder, from the folder of the page shown ("" or "<slug>/").
  function resolve(href) {
    if (/^[a-z]+:|^\/|^#/i.test(href)) return null;
    var parts = (current.indexOf("/") >= 0 ? current.replace(/[^/]*$/, "") : "").split("/").filter(Boolean);
    href.split("#")[0].split("/").forEach(function (part) {
      if (part === "..") parts.pop();
      else if (part && part !== ".") parts.push(part);
    });
    return parts.join("/");
  }

  function show(path) {
    var page = pages[path];
    data.textContent = page.payload;
    main.replaceChildren(page.content.cloneNode(true));
    document.title = page.title;
    current = path;
    document.documentElement.dataset.page = path;
    window.scrollTo(0, 0);
    start();
  }

  function follow(event) {
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey) return;
    var path = resolve(link.getAttribute("href"));
    if (path === null || !Object.prototype.hasOwnProperty.call(pages, path)) return;
    event.preventDefault();
    show(path);
  }

  if (collect()) {
    document.documentElement.dataset.page = current;
    document.addEventListener("click", follow);
  }
  start();
