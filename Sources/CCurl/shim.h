#ifndef AILB_CCURL_SHIM_H
#define AILB_CCURL_SHIM_H

#include <curl/curl.h>

// Swift cannot call C variadic functions, so every curl_easy_setopt / curl_easy_getinfo /
// curl_multi_setopt form the transport uses has a typed wrapper here.

typedef size_t (*ailb_curl_data_callback)(char *data, size_t size, size_t count, void *context);

static inline CURLcode ailb_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ailb_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ailb_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ailb_easy_setopt_offset(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ailb_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ailb_easy_setopt_callback(CURL *handle, CURLoption option, ailb_curl_data_callback value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ailb_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode ailb_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode ailb_easy_getinfo_string(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLMcode ailb_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

#endif
