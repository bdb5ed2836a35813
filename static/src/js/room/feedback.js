// Feedback form (in-call modal and the ended page): submit with fetch, errors next to the field.

export function wireFeedback({ t, mentorProfileUrl, dashboardUrl }) {
  document.addEventListener("submit", async (e) => {
    const form = e.target.closest("[data-feedback-form]");
    if (!form) return;
    e.preventDefault();
    form.querySelectorAll("[data-error]").forEach((p) => (p.hidden = true));
    const r = await fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin", headers: { Accept: "application/json" } }).catch(() => null);
    const data = r ? await r.json().catch(() => ({})) : { error: t("networkError") };
    if (r && r.ok) {
      const done = document.createElement("div");
      done.className = "rm-thanks";
      done.setAttribute("role", "status");
      const p = document.createElement("p");
      p.textContent = data.message || t("feedbackThanks");
      const a = document.createElement("a");
      a.className = "btn btn-primary";
      a.href = mentorProfileUrl;
      a.textContent = t("mentorProfile");
      const d = document.createElement("a");
      d.className = "btn btn-ghost";
      d.href = dashboardUrl;
      d.textContent = t("dashboard");
      const actions = document.createElement("div");
      actions.className = "rm-actions";
      actions.append(a, d);
      done.append(p, actions);
      form.replaceWith(done);
      return;
    }
    const err = form.querySelector(`[data-error="${data.field || "rating"}"]`);
    err.textContent = data.error || t("somethingWrong");
    err.hidden = false;
  });
}
