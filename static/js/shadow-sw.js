// placeholder
self.addEventListener('fetch', function () {});
