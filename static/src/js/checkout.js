/* Checkout: the sandbox return page submits itself; with real keys the Pay button opens
   Razorpay Checkout in redirect mode (Razorpay POSTs the signed result to our callback). */
(function () {
  "use strict";
  function ready(fn) { if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn); }
  ready(function () {
    var form = document.querySelector("form[data-autosubmit]");
    if (form) { form.submit(); }
    document.querySelectorAll("[data-razorpay-checkout]").forEach(function (btn) {
      btn.addEventListener("click", function () {
        if (typeof window.Razorpay !== "function") { btn.textContent = btn.dataset.unavailable || "Checkout could not load; please retry."; return; }
        var rzp = new window.Razorpay({
          key: btn.dataset.key,
          order_id: btn.dataset.order,
          amount: Number(btn.dataset.amount),
          currency: "INR",
          name: btn.dataset.name,
          callback_url: new URL(btn.dataset.callback, window.location.origin).toString(),
          redirect: true,
          prefill: { email: btn.dataset.email, name: btn.dataset.contactName }
        });
        rzp.open();
      });
    });
  });
})();
