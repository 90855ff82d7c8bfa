// The notes web UI: a single-page application over the api Worker's /api/* routes. The assets answer any path
// no file matches with this page (not_found_handling: single-page-application), so /notes/<id> links work on
// reload; the route is read from location.pathname.
const $ = (id) => document.getElementById(id);

/** fetch of an /api/* route, parsed as JSON; throws with the answer's error message. */
async function api(path, init) {
  const response = await fetch(path, init);
  const body = await response.json();
  if (!response.ok) throw new Error(body.error ?? `HTTP ${response.status}`);
  return body;
}

function showError(error) {
  $("error").textContent = error instanceof Error ? error.message : String(error);
  $("error").hidden = false;
}

function navigate(path) {
  history.pushState(null, "", path);
  render().catch(showError);
}

async function render() {
  $("error").hidden = true;
  const match = /^\/notes\/([0-9a-f-]{36})$/.exec(location.pathname);
  $("home").hidden = match !== null;
  $("note").hidden = match === null;
  if (match === null) return renderActivity();
  const note = await api(`/api/notes/${match[1]}`);
  $("note-body-view").textContent = note.body;
  $("note-meta").textContent = `Written ${new Date(note.createdAt).toLocaleString()} · ${note.views} view${note.views === 1 ? "" : "s"}`;
}

async function renderActivity() {
  const { activity } = await api("/api/activity?limit=10");
  $("activity").replaceChildren(...activity.map((entry) => {
    const item = document.createElement("li");
    const link = Object.assign(document.createElement("a"), { href: `/notes/${entry.noteId}`, textContent: entry.type });
    link.dataset.link = "";
    item.append(link, ` at ${new Date(entry.occurredAt).toLocaleTimeString()}`);
    return item;
  }));
}

$("new-note").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    const note = await api("/api/notes", {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ body: $("note-body").value }),
    });
    $("note-body").value = "";
    navigate(`/notes/${note.id}`);
  } catch (error) {
    showError(error);
  }
});

$("export").addEventListener("click", async () => {
  const status = $("export-status");
  try {
    let instance = await api("/api/exports", { method: "POST" });
    // Poll the Workflow instance until it ends (at most a minute).
    for (let i = 0; i < 60 && !["complete", "errored", "terminated"].includes(instance.status); i++) {
      status.textContent = `Export ${instance.status}…`;
      await new Promise((resolve) => setTimeout(resolve, 1000));
      instance = await api(`/api/exports/${instance.id}`);
    }
    if (instance.status !== "complete") throw new Error(`export ${instance.status}`);
    // The signed link carries the configured public origin; follow it on this one.
    const link = new URL(instance.output.url);
    status.replaceChildren(Object.assign(document.createElement("a"), {
      href: link.pathname + link.search, textContent: `Download ${instance.output.notes} notes (${instance.output.bytes} bytes)`,
    }));
  } catch (error) {
    status.textContent = "";
    showError(error);
  }
});

document.addEventListener("click", (event) => {
  const link = event.target.closest?.("a[data-link]");
  if (link === null || link === undefined) return;
  event.preventDefault();
  navigate(link.getAttribute("href"));
});
window.addEventListener("popstate", () => render().catch(showError));
render().catch(showError);
