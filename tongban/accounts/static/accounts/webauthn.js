/*
 * WebAuthn ceremonies for tongban (register and authenticate a security key).
 *
 * No inline script: the server puts the options in <script type="application/json"> (which
 * is data, not code) and marks the form with data-webauthn="create" or "get" and
 * data-webauthn-options="<id of that element>". On submit this asks the browser for a
 * credential, writes the JSON-encoded response into the form's hidden
 * [data-webauthn-credential] input and submits the form. Sections marked
 * [data-webauthn-section] stay hidden where WebAuthn is not available.
 * Licence: AGPL-3.0-or-later, as the rest of tongban.
 */
(function () {
  "use strict";

  if (!window.PublicKeyCredential || !navigator.credentials) {
    return;
  }

  function toBytes(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) {
      base64 += "=";
    }
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) {
      binary += String.fromCharCode(bytes[i]);
    }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function creationOptions(json) {
    var options = Object.assign({}, json);
    options.challenge = toBytes(json.challenge);
    options.user = Object.assign({}, json.user, { id: toBytes(json.user.id) });
    options.excludeCredentials = (json.excludeCredentials || []).map(function (c) {
      return Object.assign({}, c, { id: toBytes(c.id) });
    });
    return options;
  }

  function requestOptions(json) {
    var options = Object.assign({}, json);
    options.challenge = toBytes(json.challenge);
    options.allowCredentials = (json.allowCredentials || []).map(function (c) {
      return Object.assign({}, c, { id: toBytes(c.id) });
    });
    return options;
  }

  function registrationJSON(credential) {
    var response = credential.response;
    return {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: {
        clientDataJSON: toBase64url(response.clientDataJSON),
        attestationObject: toBase64url(response.attestationObject),
        transports: response.getTransports ? response.getTransports() : []
      }
    };
  }

  function authenticationJSON(credential) {
    var response = credential.response;
    return {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: {
        clientDataJSON: toBase64url(response.clientDataJSON),
        authenticatorData: toBase64url(response.authenticatorData),
        signature: toBase64url(response.signature),
        userHandle: response.userHandle ? toBase64url(response.userHandle) : null
      }
    };
  }

  function showError(form, message) {
    var box = form.querySelector("[data-webauthn-error]");
    if (!box) {
      box = document.createElement("p");
      box.className = "tb-error-message";
      box.setAttribute("data-webauthn-error", "");
      box.setAttribute("role", "alert");
      form.insertBefore(box, form.firstChild);
    }
    box.textContent = message;
  }

  function attach(form) {
    var mode = form.getAttribute("data-webauthn");
    var source = document.getElementById(form.getAttribute("data-webauthn-options"));
    var input = form.querySelector("[data-webauthn-credential]");
    if (!source || !input) {
      return;
    }
    var json = JSON.parse(source.textContent);
    form.addEventListener("submit", function (event) {
      if (input.value) {
        return; // the response is in: let the form go
      }
      event.preventDefault();
      var nameField = form.querySelector("input[name=name]");
      if (nameField && !nameField.value.trim()) {
        nameField.focus();
        showError(form, nameField.getAttribute("data-missing") || form.getAttribute("data-webauthn-missing-name") || "");
        return;
      }
      var ask = mode === "create"
        ? navigator.credentials.create({ publicKey: creationOptions(json) }).then(registrationJSON)
        : navigator.credentials.get({ publicKey: requestOptions(json) }).then(authenticationJSON);
      ask.then(function (result) {
        input.value = JSON.stringify(result);
        form.submit();
      }).catch(function (error) {
        showError(form, form.getAttribute("data-webauthn-failed") || String(error));
      });
    });
  }

  document.querySelectorAll("[data-webauthn-section]").forEach(function (section) {
    section.hidden = false;
  });
  document.querySelectorAll("form[data-webauthn]").forEach(attach);
})();
