// User-facing strings come from the server, translated: templates/rooms/_strings.html renders
// them as data attributes of #room-strings (data-reconnecting="…" -> strings.reconnecting).
// Placeholders are written {name} and filled by format().

export function format(template, vars = {}) {
  return template.replace(/\{(\w+)\}/g, (whole, key) => (key in vars ? String(vars[key]) : whole));
}

// t(key, vars): the translated string for `key` with its placeholders filled. A missing key
// shows the key itself, so a forgotten string is visible rather than blank.
export function translator(strings) {
  return (key, vars) => format(key in strings ? strings[key] : key, vars);
}

export function pageStrings(id = "room-strings") {
  const el = document.getElementById(id);
  return translator(el ? { ...el.dataset } : {});
}
