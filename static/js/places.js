/* The shared place list (canghzou_portal/templatetags/places.py, templates/partials/places.html).
 *
 * 1. A Leaflet map for every <section data-places> whose map element carries data-tile-url (set
 *    only when the portal has MAP_TILE_URL): markers from the json_script element "<id>-data",
 *    the origin and the walking radius; clicking a list entry opens its marker.
 * 2. "Use my location" for every <form data-locate>: its [data-locate-button] asks the browser for
 *    the position (the browser asks the visitor's permission), writes it into the form's lat/lng
 *    inputs and submits; a refusal or a failure says so in [data-locate-status] and leaves the
 *    town/station choice of the same form to use instead.
 * No inline scripts (CSP), no innerHTML with data: names are set as text.
 * Safe to load more than once. */
(function () {
  "use strict";

  function popup(place) {
    var box = document.createElement("div");
    var title = document.createElement(place.url ? "a" : "strong");
    title.textContent = place.name;
    if (place.url) { title.href = place.url; }
    box.appendChild(title);
    if (place.distance) {
      var dist = document.createElement("div");
      dist.textContent = place.distance + (place.minutes ? "，步行约" + place.minutes + "分钟" : "");
      box.appendChild(dist);
    }
    if (place.subtitle) {
      var sub = document.createElement("div");
      sub.textContent = place.subtitle;
      box.appendChild(sub);
    }
    return box;
  }

  function initMap(section) {
    var el = section.querySelector("[data-tile-url]");
    var source = document.getElementById(section.id + "-data");
    if (!el || !source || el.getAttribute("data-ready") || typeof L === "undefined") { return; }
    el.setAttribute("data-ready", "1");
    var data = JSON.parse(source.textContent);
    var map = L.map(el, { scrollWheelZoom: false });
    L.tileLayer(el.getAttribute("data-tile-url"), {
      maxZoom: parseInt(el.getAttribute("data-max-zoom"), 10) || 18,
      subdomains: el.getAttribute("data-subdomains") || "abc",
      attribution: el.getAttribute("data-attribution") || ""
    }).addTo(map);
    var points = [];
    if (data.origin) {
      var here = [data.origin.lat, data.origin.lng];
      L.circleMarker(here, { radius: 8, color: "#0d6efd", fillOpacity: 0.9 })
        .addTo(map).bindTooltip(data.origin.name || "您的位置");
      if (data.radius_m) { L.circle(here, { radius: data.radius_m, fill: false, weight: 1 }).addTo(map); }
      points.push(here);
    }
    var markers = data.places.map(function (place) {
      var at = [place.lat, place.lng];
      points.push(at);
      return L.circleMarker(at, { radius: 7, color: "#b3181e", fillOpacity: 0.8 }).addTo(map).bindPopup(popup(place));
    });
    if (points.length) {
      map.fitBounds(points, { padding: [24, 24], maxZoom: 16 });
    } else {
      map.setView(data.centre, 12);
    }
    section.querySelectorAll(".place[data-index]").forEach(function (item) {
      item.addEventListener("click", function (event) {
        if (event.target.closest("a")) { return; }
        var marker = markers[parseInt(item.getAttribute("data-index"), 10)];
        if (marker) { map.panTo(marker.getLatLng()); marker.openPopup(); }
      });
    });
  }

  function initLocate(form) {
    var button = form.querySelector("[data-locate-button]");
    var status = form.querySelector("[data-locate-status]");
    if (!button || button.getAttribute("data-ready")) { return; }
    button.setAttribute("data-ready", "1");
    function say(text) { if (status) { status.textContent = text; } }
    if (!("geolocation" in navigator)) {
      button.disabled = true;
      say("您的浏览器不支持定位，请选择乡镇（街道）或服务站。");
      return;
    }
    button.addEventListener("click", function () {
      say("正在获取您的位置……");
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(function (position) {
        form.elements.lat.value = position.coords.latitude.toFixed(6);
        form.elements.lng.value = position.coords.longitude.toFixed(6);
        var near = form.elements.near;
        if (near) { near.value = ""; }
        form.submit();
      }, function (error) {
        button.disabled = false;
        say(error.code === 1
          ? "您没有允许获取位置。请在下方选择乡镇（街道）或服务站。"
          : "暂时无法获取您的位置。请在下方选择乡镇（街道）或服务站。");
      }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
    });
  }

  function init() {
    document.querySelectorAll("[data-places]").forEach(initMap);
    document.querySelectorAll("form[data-locate]").forEach(initLocate);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
