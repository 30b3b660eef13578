// The directory's map: an enhancement of the list, which has everything the map shows.
// Leaflet (vendored, ~150 KB) loads only when the visitor asks for the map, to save mobile data.
(function () {
  "use strict";

  var section = document.getElementById("directory-map");
  var data = document.getElementById("directory-map-data");
  if (!section || !data) {
    return;
  }
  var button = section.querySelector(".directory-map-show");
  var canvas = section.querySelector(".directory-map-canvas");
  section.hidden = false;

  function load(tag, attributes) {
    return new Promise(function (resolve, reject) {
      var element = document.createElement(tag);
      Object.keys(attributes).forEach(function (name) {
        element.setAttribute(name, attributes[name]);
      });
      element.addEventListener("load", resolve);
      element.addEventListener("error", reject);
      document.head.appendChild(element);
    });
  }

  function link(href, text) {
    var anchor = document.createElement("a");
    anchor.href = href;
    anchor.textContent = text;
    return anchor;
  }

  function draw() {
    var L = window.L;
    var geojson = JSON.parse(data.textContent);
    var set = section.dataset;
    canvas.hidden = false;
    var map = L.map(canvas, { zoomControl: false, attributionControl: false });
    L.control.zoom({ zoomInTitle: set.zoomIn, zoomOutTitle: set.zoomOut }).addTo(map);
    // Leaflet's default prefix draws a flag with an inline style, which the site's
    // Content-Security-Policy refuses; a plain link credits Leaflet instead.
    L.control.attribution({ prefix: link("https://leafletjs.com", "Leaflet").outerHTML }).addTo(map);
    L.tileLayer(set.tiles, {
      maxZoom: 19,
      attribution: link(set.attributionUrl, set.attribution).outerHTML,
    }).addTo(map);
    var icon = L.icon({
      iconUrl: set.markerIcon,
      iconRetinaUrl: set.markerIcon2x,
      shadowUrl: set.markerShadow,
      iconSize: [25, 41],
      iconAnchor: [12, 41],
      popupAnchor: [1, -34],
      shadowSize: [41, 41],
    });
    var layer = L.geoJSON(geojson, {
      pointToLayer: function (feature, latlng) {
        return L.marker(latlng, { icon: icon, alt: feature.properties.name, title: feature.properties.name });
      },
      onEachFeature: function (feature, marker) {
        var popup = document.createElement("div");
        popup.appendChild(link(feature.properties.url, feature.properties.name));
        if (feature.properties.place) {
          popup.appendChild(document.createElement("br"));
          popup.appendChild(document.createTextNode(feature.properties.place));
        }
        marker.bindPopup(popup);
      },
    }).addTo(map);
    map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 14 });
  }

  button.addEventListener("click", function () {
    button.disabled = true;
    var set = section.dataset;
    Promise.all([
      load("link", { rel: "stylesheet", href: set.leafletCss }),
      load("script", { src: set.leafletJs }),
    ]).then(
      function () {
        button.hidden = true;
        draw();
      },
      function () {
        button.disabled = false;
      }
    );
  });
})();
