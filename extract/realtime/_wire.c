/*
 * Fast path of extract.realtime: the lake's VehiclePositions and TripUpdates tables straight from
 * GTFS-Realtime protobuf bytes (decode_protobuf) or from enhanced-JSON text (decode_json), handed to
 * pyarrow through the Arrow C data interface (one import per table, no Python object per value).
 *
 * The walkers return None ("decline") for anything that is not plainly well formed or that they do
 * not handle: alerts, repeated singular sub-messages, wire-type mismatches, groups, invalid UTF-8,
 * JSON escapes or values of an unexpected type or out of their column's range, a missing header...
 * The pure-Python reference path (extract/realtime/protobuf_reference.py, feed_dict.py) then
 * decides, so the walkers only have to be right on what they accept; the tests compare both paths on
 * every real file and on fuzzed input. Every read is bounds-checked: hostile bytes make a walker
 * decline, never crash (also checked under AddressSanitizer/UBSan during development).
 *
 * The column orders below are the schemas' (extract/schemas.py); extract/realtime/wire.py checks
 * the column kinds against layout() when it loads the module.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OK = 0, DECLINE = 1, FAIL = -1 };
#define CHECK(call)          \
    do {                     \
        int _rc = (call);    \
        if (_rc) return _rc; \
    } while (0)
#define MS_THRESHOLD 100000000000LL
/* [1990-01-01, 2100-01-01) UTC: an entity time outside it (0 aside) is landed as NULL with a warning by the
   reference path (extract/realtime/timestamps.py); the walkers decline such feeds rather than count. */
#define EARLIEST 631152000LL
#define LATEST 4102444800LL

/* ===================================== Arrow C data interface ===================================== */

struct ArrowArray {
    int64_t length, null_count, offset, n_buffers, n_children;
    const void **buffers;
    struct ArrowArray **children;
    struct ArrowArray *dictionary;
    void (*release)(struct ArrowArray *);
    void *private_data;
};

typedef struct {
    uint8_t *data;
    size_t len, cap;
} Buf;

static int buf_reserve(Buf *b, size_t extra) {
    if (b->len + extra <= b->cap) return OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra) cap *= 2;
    uint8_t *data = realloc(b->data, cap);
    if (!data) {
        PyErr_NoMemory();
        return FAIL;
    }
    b->data = data;
    b->cap = cap;
    return OK;
}

static int buf_put(Buf *b, const void *p, size_t n) {
    CHECK(buf_reserve(b, n));
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    return OK;
}

/* set bit i (0 = clear) of a bitmap that grows as needed */
static int bit_put(Buf *b, int64_t i, int value) {
    size_t byte = (size_t)(i >> 3);
    if (byte >= b->len) {
        CHECK(buf_reserve(b, byte + 1 - b->len));
        memset(b->data + b->len, 0, byte + 1 - b->len);
        b->len = byte + 1;
    }
    if (value) b->data[byte] |= (uint8_t)(1u << (i & 7));
    return OK;
}

enum Kind { K_STR, K_I64, K_I32, K_F64, K_BOOL, K_LIST, K_STRUCT };

typedef struct Col {
    int kind;
    int64_t length, nulls;
    Buf valid, data, offsets;
    struct Col *children; /* K_LIST: 1, K_STRUCT: n */
    int n_children;
} Col;

static void col_free(Col *c) {
    free(c->valid.data);
    free(c->data.data);
    free(c->offsets.data);
    for (int i = 0; i < c->n_children; i++) col_free(&c->children[i]);
    free(c->children);
    memset(c, 0, sizeof *c);
}

static int col_init(Col *c, int kind) {
    memset(c, 0, sizeof *c);
    c->kind = kind;
    if (kind == K_STR || kind == K_LIST) {
        int32_t zero = 0;
        CHECK(buf_put(&c->offsets, &zero, 4));
    }
    return OK;
}

/* ---- values held for a row before they are appended ---- */
enum { S_NULL = 0, S_INT, S_FLOAT, S_STR, S_BOOL };
typedef struct {
    int tag;
    int64_t i;
    double d;
    const char *s;
    Py_ssize_t n;
    char tmp[24];
} Slot;

static void slot_int(Slot *s, int64_t v) { s->tag = S_INT, s->i = v; }
static void slot_float(Slot *s, double v) { s->tag = S_FLOAT, s->d = v; }
static void slot_bool(Slot *s, int v) { s->tag = S_BOOL, s->i = v != 0; }
static void slot_str(Slot *s, const char *p, Py_ssize_t n) { s->tag = S_STR, s->s = p, s->n = n; }

/* Validity bitmaps are written only once a column has its first NULL (then the rows before it are
   marked valid at once): most columns never hold a NULL and pay nothing for validity. */
static int valid_put(Col *c, int64_t row, int is_valid) {
    if (is_valid) return c->nulls ? bit_put(&c->valid, row, 1) : OK;
    if (!c->nulls) {
        size_t full = (size_t)(row >> 3);
        CHECK(buf_reserve(&c->valid, full + 1));
        memset(c->valid.data, 0xFF, full);
        c->valid.data[full] = (uint8_t)((1u << (row & 7)) - 1u);
        c->valid.len = full + 1;
    }
    c->nulls++;
    return bit_put(&c->valid, row, 0);
}

static int col_append(Col *c, const Slot *s) {
    int64_t row = c->length;
    if (s->tag == S_NULL) {
        CHECK(valid_put(c, row, 0));
        switch (c->kind) {
        case K_STR: {
            int32_t end = (int32_t)c->data.len;
            CHECK(buf_put(&c->offsets, &end, 4));
            break;
        }
        case K_I64: case K_F64: { int64_t zero = 0; CHECK(buf_put(&c->data, &zero, 8)); break; }
        case K_I32: { int32_t zero = 0; CHECK(buf_put(&c->data, &zero, 4)); break; }
        case K_BOOL: CHECK(bit_put(&c->data, row, 0)); break;
        default: return DECLINE;
        }
    } else {
        CHECK(valid_put(c, row, 1));
        switch (c->kind) {
        case K_STR: {
            if (s->tag != S_STR) return DECLINE;
            if (c->data.len + (size_t)s->n > INT32_MAX) return DECLINE;
            CHECK(buf_put(&c->data, s->s, (size_t)s->n));
            int32_t end = (int32_t)c->data.len;
            CHECK(buf_put(&c->offsets, &end, 4));
            break;
        }
        case K_I64:
            if (s->tag != S_INT) return DECLINE;
            CHECK(buf_put(&c->data, &s->i, 8));
            break;
        case K_I32: {
            if (s->tag != S_INT || s->i > INT32_MAX || s->i < INT32_MIN) return DECLINE;
            int32_t v = (int32_t)s->i;
            CHECK(buf_put(&c->data, &v, 4));
            break;
        }
        case K_F64:
            if (s->tag != S_FLOAT) return DECLINE;
            CHECK(buf_put(&c->data, &s->d, 8));
            break;
        case K_BOOL:
            if (s->tag != S_BOOL) return DECLINE;
            CHECK(bit_put(&c->data, row, (int)s->i));
            break;
        default: return DECLINE;
        }
    }
    c->length++;
    return OK;
}

/* append the same value k times (the trip fields of a trip update's stop rows) */
static int col_repeat(Col *c, const Slot *s, int64_t k) {
    if (s->tag == S_NULL || c->kind == K_BOOL) {
        for (int64_t i = 0; i < k; i++) CHECK(col_append(c, s));
        return OK;
    }
    if (c->nulls)
        for (int64_t i = 0; i < k; i++) CHECK(bit_put(&c->valid, c->length + i, 1));
    switch (c->kind) {
    case K_STR: {
        if (s->tag != S_STR || c->data.len + (size_t)s->n * (size_t)k > INT32_MAX) return DECLINE;
        CHECK(buf_reserve(&c->data, (size_t)s->n * (size_t)k));
        CHECK(buf_reserve(&c->offsets, 4 * (size_t)k));
        for (int64_t i = 0; i < k; i++) {
            if (s->n) memcpy(c->data.data + c->data.len, s->s, (size_t)s->n);
            c->data.len += (size_t)s->n;
            int32_t end = (int32_t)c->data.len;
            memcpy(c->offsets.data + c->offsets.len, &end, 4);
            c->offsets.len += 4;
        }
        break;
    }
    case K_I64: case K_F64: {
        if (s->tag != (c->kind == K_I64 ? S_INT : S_FLOAT)) return DECLINE;
        CHECK(buf_reserve(&c->data, 8 * (size_t)k));
        for (int64_t i = 0; i < k; i++) {
            memcpy(c->data.data + c->data.len, c->kind == K_I64 ? (const void *)&s->i : (const void *)&s->d, 8);
            c->data.len += 8;
        }
        break;
    }
    case K_I32: {
        if (s->tag != S_INT || s->i > INT32_MAX || s->i < INT32_MIN) return DECLINE;
        int32_t v = (int32_t)s->i;
        CHECK(buf_reserve(&c->data, 4 * (size_t)k));
        for (int64_t i = 0; i < k; i++) {
            memcpy(c->data.data + c->data.len, &v, 4);
            c->data.len += 4;
        }
        break;
    }
    default: return DECLINE;
    }
    c->length += k;
    return OK;
}

/* close the current list row: its items are the child values appended since the previous row */
static int list_close(Col *c, int is_null) {
    int32_t end = (int32_t)c->children[0].length;
    CHECK(buf_put(&c->offsets, &end, 4));
    CHECK(valid_put(c, c->length, !is_null));
    c->length++;
    return OK;
}

static int struct_close(Col *c) {
    c->length++;
    return OK;
}

/* ---- export ---- */
typedef struct {
    void *buffers[3];
    const void *views[3];
} Private;

static void release_array(struct ArrowArray *a) {
    if (!a->release) return;
    Private *p = a->private_data;
    for (int64_t i = 0; i < a->n_children; i++) {
        struct ArrowArray *child = a->children[i];
        if (child->release) child->release(child);
        free(child);
    }
    free(a->children);
    if (p) {
        for (int i = 0; i < 3; i++) free(p->buffers[i]);
        free(p);
    }
    a->release = NULL;
}

/* moves the column's buffers into a (the column is left empty) */
static int export_col(Col *c, struct ArrowArray *a) {
    memset(a, 0, sizeof *a);
    Private *p = calloc(1, sizeof *p);
    if (!p) {
        PyErr_NoMemory();
        return FAIL;
    }
    a->private_data = p;
    a->release = release_array;
    a->length = c->length;
    a->null_count = c->nulls;
    /* validity: only when there are nulls; data buffers: never NULL (at least one byte) */
    if (c->kind != K_STRUCT) {
        if (c->nulls) {
            CHECK(buf_reserve(&c->valid, (size_t)((c->length + 7) >> 3) + 1));
            memset(c->valid.data + c->valid.len, 0, c->valid.cap - c->valid.len);
            p->buffers[0] = c->valid.data;
        } else {
            free(c->valid.data);
        }
        c->valid.data = NULL;
    }
    int n = 0;
    switch (c->kind) {
    case K_STR:
        CHECK(buf_reserve(&c->data, 1));
        p->buffers[1] = c->offsets.data, p->buffers[2] = c->data.data;
        c->offsets.data = c->data.data = NULL;
        n = 3;
        break;
    case K_I64: case K_I32: case K_F64: case K_BOOL:
        CHECK(buf_reserve(&c->data, 8));
        if (c->kind == K_BOOL) memset(c->data.data + c->data.len, 0, c->data.cap - c->data.len);
        p->buffers[1] = c->data.data;
        c->data.data = NULL;
        n = 2;
        break;
    case K_LIST:
        p->buffers[1] = c->offsets.data;
        c->offsets.data = NULL;
        n = 2;
        break;
    case K_STRUCT:
        n = 1;
        break;
    }
    for (int i = 0; i < n; i++) p->views[i] = p->buffers[i];
    a->n_buffers = n;
    a->buffers = p->views;
    if (c->n_children) {
        a->children = calloc((size_t)c->n_children, sizeof *a->children);
        if (!a->children) {
            PyErr_NoMemory();
            return FAIL;
        }
        a->n_children = c->n_children;
        for (int i = 0; i < c->n_children; i++) {
            if (!(a->children[i] = malloc(sizeof(struct ArrowArray)))) {
                PyErr_NoMemory();
                return FAIL;
            }
            a->children[i]->release = NULL;
            CHECK(export_col(&c->children[i], a->children[i]));
        }
    }
    return OK;
}

static void capsule_destructor(PyObject *capsule) {
    struct ArrowArray *a = PyCapsule_GetPointer(capsule, "lamp_arrow_array");
    if (!a) return;
    if (a->release) a->release(a);
    free(a);
}

/* a record batch of the columns, as (capsule owning the ArrowArray, its address) */
static PyObject *export_batch(Col *cols, int n, int64_t rows) {
    struct ArrowArray *top = calloc(1, sizeof *top);
    if (!top) return PyErr_NoMemory();
    PyObject *capsule = PyCapsule_New(top, "lamp_arrow_array", capsule_destructor);
    if (!capsule) {
        free(top);
        return NULL;
    }
    Private *p = calloc(1, sizeof *p);
    if (!p) goto nomem;
    top->private_data = p;
    top->release = release_array;
    top->length = rows;
    top->n_buffers = 1;
    top->buffers = p->views; /* struct validity: none */
    top->children = calloc((size_t)n, sizeof *top->children);
    if (!top->children) goto nomem;
    top->n_children = n;
    for (int i = 0; i < n; i++) {
        if (!(top->children[i] = malloc(sizeof(struct ArrowArray)))) goto nomem;
        top->children[i]->release = NULL;
        if (export_col(&cols[i], top->children[i])) goto fail;
    }
    return Py_BuildValue("(NN)", capsule, PyLong_FromVoidPtr(top));
nomem:
    PyErr_NoMemory();
fail:
    Py_DECREF(capsule);
    return NULL;
}

/* ========================================= tables ========================================= */

enum { TRIP_N = 10, VEH_N = 4 };
/* TripDescriptor and VehicleDescriptor slots */
enum { T_TRIP_ID, T_ROUTE_ID, T_DIRECTION_ID, T_START_TIME, T_START_DATE, T_SCHEDULE_RELATIONSHIP,
       T_ROUTE_PATTERN_ID, T_TM_TRIP_ID, T_REVENUE, T_LAST_TRIP };
enum { V_ID, V_LABEL, V_LICENSE_PLATE, V_WHEELCHAIR };

/* VehiclePositions columns, in schema order */
enum {
    VP_SOURCE, VP_FEED_TIMESTAMP, VP_ENTITY_ID, VP_ENTITY_INDEX, VP_IS_DELETED, VP_MS, VP_TRIP,
    VP_VEHICLE = VP_TRIP + TRIP_N, VP_CONSIST = VP_VEHICLE + VEH_N, VP_LATITUDE, VP_LONGITUDE, VP_BEARING,
    VP_ODOMETER, VP_SPEED, VP_CURRENT_STOP_SEQUENCE, VP_STOP_ID, VP_CURRENT_STATUS, VP_TIMESTAMP,
    VP_CONGESTION, VP_OCCUPANCY_STATUS, VP_OCCUPANCY_PERCENTAGE, VP_CARRIAGES, VP_CARRIAGE_LABELS, VP_N
};
static const int VP_KINDS[VP_N] = {
    K_STR, K_I64, K_STR, K_I32, K_BOOL, K_BOOL,
    K_STR, K_STR, K_I64, K_STR, K_STR, K_STR, K_STR, K_STR, K_BOOL, K_BOOL,
    K_STR, K_STR, K_STR, K_STR, K_LIST,
    K_F64, K_F64, K_F64, K_F64, K_F64, K_I64, K_STR, K_STR, K_I64, K_STR, K_STR, K_I64, K_LIST, K_LIST};
enum { CAR_ID, CAR_LABEL, CAR_OCCUPANCY_STATUS, CAR_OCCUPANCY_PERCENTAGE, CAR_SEQUENCE, CAR_N };
static const int CAR_KINDS[CAR_N] = {K_STR, K_STR, K_STR, K_I32, K_I64};

/* TripUpdates columns, in schema order */
enum {
    TU_SOURCE, TU_FEED_TIMESTAMP, TU_ENTITY_ID, TU_ENTITY_INDEX, TU_IS_DELETED, TU_MS, TU_TRIP,
    TU_VEHICLE = TU_TRIP + TRIP_N, TU_TIMESTAMP = TU_VEHICLE + VEH_N, TU_DELAY, TU_STOP_INDEX,
    TU_STOP_SEQUENCE, TU_STOP_ID, TU_ARRIVAL_TIME, TU_ARRIVAL_DELAY, TU_ARRIVAL_UNCERTAINTY,
    TU_DEPARTURE_TIME, TU_DEPARTURE_DELAY, TU_DEPARTURE_UNCERTAINTY, TU_STOP_SCHEDULE_RELATIONSHIP,
    TU_DEPARTURE_OCCUPANCY, TU_BOARDING_STATUS, TU_N
};
#define TU_FIRST_STOP TU_STOP_INDEX
static const int TU_KINDS[TU_N] = {
    K_STR, K_I64, K_STR, K_I32, K_BOOL, K_BOOL,
    K_STR, K_STR, K_I64, K_STR, K_STR, K_STR, K_STR, K_STR, K_BOOL, K_BOOL,
    K_STR, K_STR, K_STR, K_STR, K_I64, K_I32,
    K_I32, K_I64, K_STR, K_I64, K_I32, K_I32, K_I64, K_I32, K_I32, K_STR, K_STR, K_STR};

typedef struct {
    Col vp[VP_N];
    Col tu[TU_N];
    int64_t vp_rows, tu_rows, corrected;
    Buf stop_ms; /* own millisecond flag of each stop row of the trip update being read */
    int kinds; /* 1 = trip updates, 2 = vehicle positions */
    Slot source, feed_timestamp;
    int header_ms;
} Out;

static void out_free(Out *o) {
    free(o->stop_ms.data);
    for (int i = 0; i < VP_N; i++) col_free(&o->vp[i]);
    for (int i = 0; i < TU_N; i++) col_free(&o->tu[i]);
}

static int list_init(Col *c, int child_kind) {
    CHECK(col_init(c, K_LIST));
    c->children = calloc(1, sizeof(Col));
    if (!c->children) {
        PyErr_NoMemory();
        return FAIL;
    }
    c->n_children = 1;
    return col_init(&c->children[0], child_kind);
}

static int out_init(Out *o, PyObject *source) {
    memset(o, 0, sizeof *o);
    for (int i = 0; i < VP_N; i++) {
        if (VP_KINDS[i] == K_LIST) {
            if (i == VP_CARRIAGES) {
                CHECK(list_init(&o->vp[i], K_STRUCT));
                Col *s = &o->vp[i].children[0];
                if (!(s->children = calloc(CAR_N, sizeof(Col)))) {
                    PyErr_NoMemory();
                    return FAIL;
                }
                s->n_children = CAR_N;
                for (int k = 0; k < CAR_N; k++) CHECK(col_init(&s->children[k], CAR_KINDS[k]));
            } else {
                CHECK(list_init(&o->vp[i], K_STR));
            }
        } else {
            CHECK(col_init(&o->vp[i], VP_KINDS[i]));
        }
    }
    for (int i = 0; i < TU_N; i++) CHECK(col_init(&o->tu[i], TU_KINDS[i]));
    Py_ssize_t n;
    const char *s = PyUnicode_AsUTF8AndSize(source, &n);
    if (!s) return FAIL;
    slot_str(&o->source, s, n);
    return OK;
}

/* ---- enum names: number -> UTF-8 name, from the bindings' tables given to configure() ---- */
enum { E_INCREMENTALITY, E_TRIP_SR, E_STOP_SR, E_STOP_STATUS, E_CONGESTION, E_OCCUPANCY, E_WHEELCHAIR, E_N };
#define ENUM_MAX 64
static PyObject *enum_dicts[E_N];
static const char *enum_names[E_N][ENUM_MAX];
static Py_ssize_t enum_lengths[E_N][ENUM_MAX];

/* Protobuf's rule for a closed (proto2) enum set more than once: the last KNOWN value wins, and an unknown
   number is kept only when no known value was read (protobuf_reference.py takes it back from the unknown
   fields the same way). A known name points into enum_names; an unknown number is printed into s->tmp. */
static void slot_enum(Slot *s, int table, int64_t number) {
    if (number >= 0 && number < ENUM_MAX && enum_names[table][number]) {
        slot_str(s, enum_names[table][number], enum_lengths[table][number]);
        return;
    }
    if (s->tag == S_STR && s->s != s->tmp) return;
    int n = snprintf(s->tmp, sizeof s->tmp, "%lld", (long long)number);
    slot_str(s, s->tmp, n);
}

static int64_t to_seconds(int64_t v, int *flag) {
    if (v >= MS_THRESHOLD) {
        *flag = 1;
        while (v >= MS_THRESHOLD) v /= 1000;
    }
    return v;
}

static int64_t to_seconds_u(uint64_t v, int *flag) {
    if (v >= (uint64_t)MS_THRESHOLD) {
        *flag = 1;
        while (v >= (uint64_t)MS_THRESHOLD) v /= 1000;
    }
    return (int64_t)v;
}

static int plausible(int64_t seconds) { return seconds == 0 || (seconds >= EARLIEST && seconds < LATEST); }

/* An entity's epoch value (int64 / uint64 fields) into s; DECLINE when it is implausible. */
static int entity_epoch(Slot *s, int64_t v, int *ms) {
    int64_t seconds = to_seconds(v, ms);
    if (!plausible(seconds)) return DECLINE;
    slot_int(s, seconds);
    return OK;
}

static int entity_epoch_u(Slot *s, uint64_t v, int *ms) {
    int64_t seconds = to_seconds_u(v, ms);
    if (!plausible(seconds)) return DECLINE;
    slot_int(s, seconds);
    return OK;
}

/* The shortest decimal that reads back as the same float32 (protobuf's JSON printing rule). */
static double shortest_float32_uncached(float f) {
    double v = (double)f;
    if (!isfinite(v)) return v;
    char buf[64];
    for (int precision = 6; precision <= 9; precision++) {
        snprintf(buf, sizeof buf, "%.*g", precision, v);
        double rounded = strtod(buf, NULL);
        if (fabs(rounded) > 3.4028234663852886e38) continue; /* would not pack as a float32 */
        if ((float)rounded == f) return rounded;
    }
    return v;
}

/* Positions repeat from snapshot to snapshot (a stopped vehicle): a direct-mapped cache keyed by
   the float's bits saves most snprintf/strtod rounds. */
#define FLOAT_CACHE_SIZE 16384
static uint32_t float_cache_bits[FLOAT_CACHE_SIZE];
static double float_cache_value[FLOAT_CACHE_SIZE];
static uint8_t float_cache_used[FLOAT_CACHE_SIZE];

static double shortest_float32(float f) {
    uint32_t bits;
    memcpy(&bits, &f, 4);
    uint32_t slot = (bits * 2654435761u) >> 18;
    if (float_cache_used[slot] && float_cache_bits[slot] == bits) return float_cache_value[slot];
    double value = shortest_float32_uncached(f);
    float_cache_bits[slot] = bits;
    float_cache_value[slot] = value;
    float_cache_used[slot] = 1;
    return value;
}

/* ---- rows ---- */
static int append_row(Col *cols, Slot *slots, int from, int to) {
    for (int i = from; i < to; i++) CHECK(col_append(&cols[i], &slots[i]));
    return OK;
}

/* provenance slots shared by both tables: source, feed timestamp, entity id/index, deleted, ms flag */
static void provenance(Out *o, Slot *row, const Slot *entity_id, int64_t index, const Slot *deleted) {
    row[0] = o->source;
    slot_int(&row[1], 0); /* feed_timestamp: filled in by finish_header_columns */
    row[2] = *entity_id;
    slot_int(&row[3], index);
    row[4] = *deleted;
}

/* TripUpdates rows are written in two steps: the stop columns as each stop time update is read
   (tu_stop_row), then, once the trip update is complete, its trip columns repeated for each of its
   stop rows (tu_trip_rows). So the order of a trip update's fields does not matter. */
static int tu_stop_row(Out *o, Slot *row, int ms) {
    uint8_t flag = (uint8_t)(ms != 0);
    o->corrected += flag;
    CHECK(buf_put(&o->stop_ms, &flag, 1));
    return append_row(o->tu, row, TU_FIRST_STOP, TU_N);
}

static int tu_trip_rows(Out *o, Slot *row, int trip_ms) {
    if (o->stop_ms.len == 0) { /* no stop time updates: one row with NULL stop fields */
        memset(&row[TU_FIRST_STOP], 0, sizeof(Slot) * (TU_N - TU_FIRST_STOP));
        CHECK(tu_stop_row(o, row, 0));
    }
    int64_t k = (int64_t)o->stop_ms.len;
    o->corrected += trip_ms != 0;
    for (int i = 0; i < TU_FIRST_STOP; i++) {
        if (i == TU_MS) {
            for (int64_t r = 0; r < k; r++) {
                Slot flag;
                slot_bool(&flag, trip_ms || o->stop_ms.data[r]);
                CHECK(col_append(&o->tu[i], &flag));
            }
        } else {
            CHECK(col_repeat(&o->tu[i], &row[i], k));
        }
    }
    o->tu_rows += k;
    o->stop_ms.len = 0;
    return OK;
}

/* ========================================== protobuf ========================================== */

typedef struct {
    const uint8_t *p, *end;
} Reader;

enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_I32 = 5 };

static int read_varint(Reader *r, uint64_t *out) {
    uint64_t value = 0;
    for (int i = 0; i < 10; i++) {
        if (r->p >= r->end) return DECLINE;
        uint8_t byte = *r->p++;
        if (i == 9 && byte > 1) return DECLINE;
        value |= (uint64_t)(byte & 0x7F) << (7 * i);
        if (!(byte & 0x80)) {
            *out = value;
            return OK;
        }
    }
    return DECLINE;
}

typedef struct {
    uint32_t number;
    int wire;
    uint64_t varint;
    const uint8_t *data;
    size_t len;
} Field;

static int next_field(Reader *r, Field *f) {
    uint64_t tag;
    if (read_varint(r, &tag)) return DECLINE;
    if (tag > 0xFFFFFFFFULL || (tag >> 3) == 0) return DECLINE;
    f->number = (uint32_t)(tag >> 3);
    f->wire = (int)(tag & 7);
    switch (f->wire) {
    case WT_VARINT:
        return read_varint(r, &f->varint);
    case WT_I64:
        if (r->end - r->p < 8) return DECLINE;
        f->data = r->p, f->len = 8, r->p += 8;
        return OK;
    case WT_LEN: {
        uint64_t len;
        if (read_varint(r, &len)) return DECLINE;
        if (len > (uint64_t)(r->end - r->p)) return DECLINE;
        f->data = r->p, f->len = (size_t)len, r->p += len;
        return OK;
    }
    case WT_I32:
        if (r->end - r->p < 4) return DECLINE;
        f->data = r->p, f->len = 4, r->p += 4;
        return OK;
    default: /* groups and invalid wire types */
        return DECLINE;
    }
}

/* strict UTF-8 (what Python's decoder accepts); invalid text is left to the reference path */
static int utf8_valid(const uint8_t *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t need;
        uint8_t lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) need = 1;
        else if (c == 0xE0) need = 2, lo = 0xA0;
        else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) need = 2;
        else if (c == 0xED) need = 2, hi = 0x9F;
        else if (c == 0xF0) need = 3, lo = 0x90;
        else if (c >= 0xF1 && c <= 0xF3) need = 3;
        else if (c == 0xF4) need = 3, hi = 0x8F;
        else return 0;
        if (i + need >= n) return 0;
        if (s[i + 1] < lo || s[i + 1] > hi) return 0;
        for (size_t k = 2; k <= need; k++)
            if ((s[i + k] & 0xC0) != 0x80) return 0;
        i += need + 1;
    }
    return 1;
}

#define EXPECT(wt) \
    if (f.wire != (wt)) return DECLINE

static int pb_str(Slot *s, const Field *f) {
    if (!utf8_valid(f->data, f->len)) return DECLINE;
    slot_str(s, (const char *)f->data, (Py_ssize_t)f->len);
    return OK;
}

static double read_f32(const uint8_t *p) {
    float f;
    memcpy(&f, p, 4);
    return shortest_float32(f);
}

static double read_f64(const uint8_t *p) {
    double d;
    memcpy(&d, p, 8);
    return d;
}

#define I32(v) ((int64_t)(int32_t)(uint32_t)(v))
#define U32(v) ((int64_t)(uint32_t)(v))

static int pb_trip(const uint8_t *p, size_t n, Slot *t) {
    Reader r = {p, p + n};
    Field f;
    while (r.p < r.end) {
        CHECK(next_field(&r, &f));
        switch (f.number) {
        case 1: EXPECT(WT_LEN); CHECK(pb_str(&t[T_TRIP_ID], &f)); break;
        case 5: EXPECT(WT_LEN); CHECK(pb_str(&t[T_ROUTE_ID], &f)); break;
        case 6: EXPECT(WT_VARINT); slot_int(&t[T_DIRECTION_ID], U32(f.varint)); break;
        case 2: EXPECT(WT_LEN); CHECK(pb_str(&t[T_START_TIME], &f)); break;
        case 3: EXPECT(WT_LEN); CHECK(pb_str(&t[T_START_DATE], &f)); break;
        case 4: EXPECT(WT_VARINT); slot_enum(&t[T_SCHEDULE_RELATIONSHIP], E_TRIP_SR, I32(f.varint)); break;
        case 7: return DECLINE; /* modified_trip: left to the reference path */
        default: break;
        }
    }
    return OK;
}

static int pb_vehicle_descriptor(const uint8_t *p, size_t n, Slot *v) {
    Reader r = {p, p + n};
    Field f;
    while (r.p < r.end) {
        CHECK(next_field(&r, &f));
        switch (f.number) {
        case 1: EXPECT(WT_LEN); CHECK(pb_str(&v[V_ID], &f)); break;
        case 2: EXPECT(WT_LEN); CHECK(pb_str(&v[V_LABEL], &f)); break;
        case 3: EXPECT(WT_LEN); CHECK(pb_str(&v[V_LICENSE_PLATE], &f)); break;
        case 4: EXPECT(WT_VARINT); slot_enum(&v[V_WHEELCHAIR], E_WHEELCHAIR, I32(f.varint)); break;
        default: break;
        }
    }
    return OK;
}

/* StopTimeEvent into e[0] (time), e[1] (delay), e[2] (uncertainty) */
static int pb_stop_time_event(const uint8_t *p, size_t n, Slot *e, int *ms) {
    Reader r = {p, p + n};
    Field f;
    while (r.p < r.end) {
        CHECK(next_field(&r, &f));
        switch (f.number) {
        case 1: EXPECT(WT_VARINT); slot_int(&e[1], I32(f.varint)); break;
        case 2: EXPECT(WT_VARINT); CHECK(entity_epoch(&e[0], (int64_t)f.varint, ms)); break;
        case 3: EXPECT(WT_VARINT); slot_int(&e[2], I32(f.varint)); break;
        case 4: EXPECT(WT_VARINT); break; /* scheduled_time: not landed */
        default: break;
        }
    }
    return OK;
}

/* one TripUpdates row: the trip slots [0, TU_FIRST_STOP) are the trip update's, the rest this update's */
static int pb_stop_time_update(Out *o, const uint8_t *p, size_t n, Slot *row, int64_t index) {
    Reader r = {p, p + n};
    Field f;
    int ms = 0, arrival = 0, departure = 0;
    memset(&row[TU_FIRST_STOP], 0, sizeof(Slot) * (TU_N - TU_FIRST_STOP));
    slot_int(&row[TU_STOP_INDEX], index);
    while (r.p < r.end) {
        CHECK(next_field(&r, &f));
        switch (f.number) {
        case 1: EXPECT(WT_VARINT); slot_int(&row[TU_STOP_SEQUENCE], U32(f.varint)); break;
        case 4: EXPECT(WT_LEN); CHECK(pb_str(&row[TU_STOP_ID], &f)); break;
        case 2:
            EXPECT(WT_LEN);
            if (arrival++) return DECLINE;
            CHECK(pb_stop_time_event(f.data, f.len, &row[TU_ARRIVAL_TIME], &ms));
            break;
        case 3:
            EXPECT(WT_LEN);
            if (departure++) return DECLINE;
            CHECK(pb_stop_time_event(f.data, f.len, &row[TU_DEPARTURE_TIME], &ms));
            break;
        case 5: EXPECT(WT_VARINT); slot_enum(&row[TU_STOP_SCHEDULE_RELATIONSHIP], E_STOP_SR, I32(f.varint)); break;
        case 7: EXPECT(WT_VARINT); slot_enum(&row[TU_DEPARTURE_OCCUPANCY], E_OCCUPANCY, I32(f.varint)); break;
        case 6: return DECLINE; /* stop_time_properties: left to the reference path */
        default: break;
        }
    }
    return tu_stop_row(o, row, ms);
}

static int pb_trip_update(Out *o, const uint8_t *p, size_t n, const Slot *entity_id, int64_t index,
                          const Slot *deleted) {
    Slot row[TU_N];
    memset(row, 0, sizeof row);
    provenance(o, row, entity_id, index, deleted);
    Reader r = {p, p + n};
    Field f;
    int ms = 0, trip = 0, vehicle = 0;
    int64_t updates = 0;
    o->stop_ms.len = 0;
    while (r.p < r.end) {
        CHECK(next_field(&r, &f));
        switch (f.number) {
        case 1:
            EXPECT(WT_LEN);
            if (trip++) return DECLINE;
            CHECK(pb_trip(f.data, f.len, &row[TU_TRIP]));
            break;
        case 3:
            EXPECT(WT_LEN);
            if (vehicle++) return DECLINE;
            CHECK(pb_vehicle_descriptor(f.data, f.len, &row[TU_VEHICLE]));
            break;
        case 2: EXPECT(WT_LEN); CHECK(pb_stop_time_update(o, f.data, f.len, row, updates++)); break;
        case 4: EXPECT(WT_VARINT); CHECK(entity_epoch_u(&row[TU_TIMESTAMP], f.varint, &ms)); break;
        case 5: EXPECT(WT_VARINT); slot_int(&row[TU_DELAY], I32(f.varint)); break;
        case 6: return DECLINE; /* trip_properties: left to the reference path */
        default: break;
        }
    }
    return tu_trip_rows(o, row, ms);
}

static int pb_position(const uint8_t *p, size_t n, Slot *row) {
    Reader r = {p, p + n};
    Field f;
    while (r.p < r.end) {
        CHECK(next_field(&r, &f));
        switch (f.number) {
        case 1: EXPECT(WT_I32); slot_float(&row[VP_LATITUDE], read_f32(f.data)); break;
        case 2: EXPECT(WT_I32); slot_float(&row[VP_LONGITUDE], read_f32(f.data)); break;
        case 3: EXPECT(WT_I32); slot_float(&row[VP_BEARING], read_f32(f.data)); break;
        case 4: EXPECT(WT_I64); slot_float(&row[VP_ODOMETER], read_f64(f.data)); break;
        case 5: EXPECT(WT_I32); slot_float(&row[VP_SPEED], read_f32(f.data)); break;
        default: break;
        }
    }
    return OK;
}

static int pb_carriage(Out *o, const uint8_t *p, size_t n) {
    Slot car[CAR_N];
    memset(car, 0, sizeof car);
    Reader r = {p, p + n};
    Field f;
    while (r.p < r.end) {
        CHECK(next_field(&r, &f));
        switch (f.number) {
        case 1: EXPECT(WT_LEN); CHECK(pb_str(&car[CAR_ID], &f)); break;
        case 2: EXPECT(WT_LEN); CHECK(pb_str(&car[CAR_LABEL], &f)); break;
        case 3: EXPECT(WT_VARINT); slot_enum(&car[CAR_OCCUPANCY_STATUS], E_OCCUPANCY, I32(f.varint)); break;
        case 4: EXPECT(WT_VARINT); slot_int(&car[CAR_OCCUPANCY_PERCENTAGE], I32(f.varint)); break;
        case 5: EXPECT(WT_VARINT); slot_int(&car[CAR_SEQUENCE], U32(f.varint)); break;
        default: break;
        }
    }
    Col *structs = &o->vp[VP_CARRIAGES].children[0];
    CHECK(append_row(structs->children, car, 0, CAR_N));
    CHECK(struct_close(structs));
    return col_append(&o->vp[VP_CARRIAGE_LABELS].children[0], &car[CAR_LABEL]);
}

static int pb_vehicle_position(Out *o, const uint8_t *p, size_t n, const Slot *entity_id, int64_t index,
                               const Slot *deleted) {
    Slot row[VP_N];
    memset(row, 0, sizeof row);
    provenance(o, row, entity_id, index, deleted);
    Reader r = {p, p + n};
    Field f;
    int ms = 0, trip = 0, vehicle = 0, position = 0, carriages = 0;
    while (r.p < r.end) {
        CHECK(next_field(&r, &f));
        switch (f.number) {
        case 1:
            EXPECT(WT_LEN);
            if (trip++) return DECLINE;
            CHECK(pb_trip(f.data, f.len, &row[VP_TRIP]));
            break;
        case 8:
            EXPECT(WT_LEN);
            if (vehicle++) return DECLINE;
            CHECK(pb_vehicle_descriptor(f.data, f.len, &row[VP_VEHICLE]));
            break;
        case 2:
            EXPECT(WT_LEN);
            if (position++) return DECLINE;
            CHECK(pb_position(f.data, f.len, row));
            break;
        case 3: EXPECT(WT_VARINT); slot_int(&row[VP_CURRENT_STOP_SEQUENCE], U32(f.varint)); break;
        case 7: EXPECT(WT_LEN); CHECK(pb_str(&row[VP_STOP_ID], &f)); break;
        case 4: EXPECT(WT_VARINT); slot_enum(&row[VP_CURRENT_STATUS], E_STOP_STATUS, I32(f.varint)); break;
        case 5: EXPECT(WT_VARINT); CHECK(entity_epoch_u(&row[VP_TIMESTAMP], f.varint, &ms)); break;
        case 6: EXPECT(WT_VARINT); slot_enum(&row[VP_CONGESTION], E_CONGESTION, I32(f.varint)); break;
        case 9: EXPECT(WT_VARINT); slot_enum(&row[VP_OCCUPANCY_STATUS], E_OCCUPANCY, I32(f.varint)); break;
        case 10: EXPECT(WT_VARINT); slot_int(&row[VP_OCCUPANCY_PERCENTAGE], U32(f.varint)); break;
        case 11:
            EXPECT(WT_LEN);
            CHECK(pb_carriage(o, f.data, f.len));
            carriages++;
            break;
        default: break;
        }
    }
    o->corrected += ms;
    slot_bool(&row[VP_MS], ms);
    o->vp_rows++;
    CHECK(append_row(o->vp, row, 0, VP_CONSIST));
    CHECK(list_close(&o->vp[VP_CONSIST], 1)); /* consist: an enhanced-JSON extension */
    CHECK(append_row(o->vp, row, VP_CONSIST + 1, VP_CARRIAGES));
    CHECK(list_close(&o->vp[VP_CARRIAGES], !carriages));
    return list_close(&o->vp[VP_CARRIAGE_LABELS], !carriages);
}

static int pb_entity(Out *o, const uint8_t *p, size_t n, int64_t index) {
    Reader r = {p, p + n};
    Field f, tu = {0}, vp = {0};
    Slot entity_id = {0}, deleted = {0};
    int has_tu = 0, has_vp = 0;
    while (r.p < r.end) {
        CHECK(next_field(&r, &f));
        switch (f.number) {
        case 1: EXPECT(WT_LEN); CHECK(pb_str(&entity_id, &f)); break;
        case 2: EXPECT(WT_VARINT); slot_bool(&deleted, f.varint != 0); break;
        case 3: EXPECT(WT_LEN); if (has_tu++) return DECLINE; tu = f; break;
        case 4: EXPECT(WT_LEN); if (has_vp++) return DECLINE; vp = f; break;
        case 5: case 6: case 7: case 8: return DECLINE; /* alerts and others: reference path */
        default: break;
        }
    }
    if (has_tu) {
        o->kinds |= 1;
        CHECK(pb_trip_update(o, tu.data, tu.len, &entity_id, index, &deleted));
    }
    if (has_vp) {
        o->kinds |= 2;
        CHECK(pb_vehicle_position(o, vp.data, vp.len, &entity_id, index, &deleted));
    }
    return OK;
}

/* The header may follow the entities (JSON): its timestamp and its millisecond flag are written into
   the feed_timestamp and has_millisecond_timestamp columns once the whole feed is read. */
static int finish_header_columns(Out *o, Col *timestamps, Col *flags) {
    if (o->feed_timestamp.tag == S_INT) {
        int64_t *values = (int64_t *)timestamps->data.data;
        for (int64_t i = 0; i < timestamps->length; i++) values[i] = o->feed_timestamp.i;
    } else if (timestamps->length) {
        size_t bytes = (size_t)((timestamps->length + 7) >> 3);
        timestamps->valid.len = 0;
        CHECK(buf_reserve(&timestamps->valid, bytes));
        memset(timestamps->valid.data, 0, bytes);
        timestamps->valid.len = bytes;
        timestamps->nulls = timestamps->length;
    }
    if (o->header_ms)
        for (int64_t i = 0; i < flags->length; i++) CHECK(bit_put(&flags->data, i, 1));
    return OK;
}

/* (kinds, corrected, vp batch or None, tu batch or None) */
static PyObject *out_result(Out *o) {
    if (finish_header_columns(o, &o->vp[VP_FEED_TIMESTAMP], &o->vp[VP_MS]) ||
        finish_header_columns(o, &o->tu[TU_FEED_TIMESTAMP], &o->tu[TU_MS]))
        return NULL;
    PyObject *vp = Py_None, *tu = Py_None;
    Py_INCREF(vp);
    Py_INCREF(tu);
    if (o->vp_rows) {
        Py_DECREF(vp);
        if (!(vp = export_batch(o->vp, VP_N, o->vp_rows))) {
            Py_DECREF(tu);
            return NULL;
        }
    }
    if (o->tu_rows) {
        Py_DECREF(tu);
        if (!(tu = export_batch(o->tu, TU_N, o->tu_rows))) {
            Py_DECREF(vp);
            return NULL;
        }
    }
    return Py_BuildValue("(iLNN)", o->kinds, (long long)o->corrected, vp, tu);
}

/* decode_protobuf(payload, source_file_id) -> None or
   (version, incrementality, header timestamp, header in ms, entity count, (kinds, corrected, vp, tu)) */
static PyObject *decode_protobuf(PyObject *self, PyObject *args) {
    Py_buffer view;
    PyObject *source;
    if (!PyArg_ParseTuple(args, "y*U", &view, &source)) return NULL;
    const uint8_t *p = view.buf, *end = p + view.len;
    Reader r = {p, end};
    Field f, header = {0};
    int has_header = 0, rc;
    int64_t entities = 0;
    PyObject *result = NULL;
    Slot version = {0}, incrementality = {0};
    Out o;
    if (out_init(&o, source)) goto fail;
    while (r.p < r.end) { /* pass 1: the header, and a well-formed top level */
        if (next_field(&r, &f)) goto decline;
        if (f.number == 1) {
            if (f.wire != WT_LEN || has_header++) goto decline;
            header = f;
        } else if (f.number == 2 && f.wire != WT_LEN) {
            goto decline;
        }
    }
    if (!has_header) goto decline;
    Reader h = {header.data, header.data + header.len};
    while (h.p < h.end) {
        if (next_field(&h, &f)) goto decline;
        switch (f.number) {
        case 1:
            if (f.wire != WT_LEN || pb_str(&version, &f)) goto decline;
            break;
        case 2:
            if (f.wire != WT_VARINT) goto decline;
            slot_enum(&incrementality, E_INCREMENTALITY, I32(f.varint));
            break;
        case 3:
            if (f.wire != WT_VARINT) goto decline;
            slot_int(&o.feed_timestamp, to_seconds_u(f.varint, &o.header_ms));
            break;
        case 4:
            if (f.wire != WT_LEN) goto decline;
            break;
        default: break;
        }
    }
    if (version.tag != S_STR) goto decline;
    r.p = p;
    while (r.p < r.end) { /* pass 2: the entities */
        if (next_field(&r, &f)) goto decline;
        if (f.number == 2) {
            rc = pb_entity(&o, f.data, f.len, entities++);
            if (rc == DECLINE) goto decline;
            if (rc == FAIL) goto fail;
        }
    }
    PyObject *tables = out_result(&o);
    if (!tables) goto fail;
    PyObject *timestamp = o.feed_timestamp.tag ? PyLong_FromLongLong(o.feed_timestamp.i) : (Py_INCREF(Py_None), Py_None);
    result = Py_BuildValue("(s#NNiLN)", version.s, version.n,
                           incrementality.tag ? PyUnicode_FromStringAndSize(incrementality.s, incrementality.n)
                                              : (Py_INCREF(Py_None), Py_None),
                           timestamp, o.header_ms, (long long)entities, tables);
    goto cleanup;
decline:
    if (PyErr_Occurred()) goto fail;
    result = Py_None;
    Py_INCREF(result);
    goto cleanup;
fail:
    result = NULL;
cleanup:
    out_free(&o);
    PyBuffer_Release(&view);
    return result;
}

/* =========================================== JSON =========================================== */
/*
 * A strict reader of the enhanced-JSON text itself (no Python objects): it accepts only what the
 * enhanced JSON uses for VehiclePositions and TripUpdates (plain strings without escapes, integers,
 * numbers, booleans, null, the known objects and lists) and declines anything else, including every
 * syntax error, a known key given twice, escapes, NaN, a byte-order mark, deep nesting. The reference
 * path (orjson + feed_dict.py) then decides, so semantics stay those of the reference.
 */

typedef struct {
    const char *p, *end;
} J;

static void j_ws(J *j) {
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' || *j->p == '\t')) j->p++;
}

static int j_peek(J *j) {
    j_ws(j);
    return j->p < j->end ? (unsigned char)*j->p : -1;
}

static int j_char(J *j, char c) {
    if (j_peek(j) != (unsigned char)c) return DECLINE;
    j->p++;
    return OK;
}

static int j_literal(J *j, const char *word, size_t n) {
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0) return DECLINE;
    j->p += n;
    return OK;
}

/* a string without escapes: its UTF-8 bytes (validated) */
static int j_raw_string(J *j, const char **s, Py_ssize_t *n) {
    if (j_peek(j) != '"') return DECLINE;
    const char *start = ++j->p;
    while (j->p < j->end) {
        unsigned char c = (unsigned char)*j->p;
        if (c == '"') {
            *s = start;
            *n = j->p - start;
            j->p++;
            return utf8_valid((const uint8_t *)start, (size_t)*n) ? OK : DECLINE;
        }
        if (c == '\\' || c < 0x20) return DECLINE;
        j->p++;
    }
    return DECLINE;
}

/* a number token; *is_int tells an integer (no fraction, no exponent) that fits int64 */
static int j_number(J *j, int *is_int, int64_t *i, double *d) {
    j_ws(j);
    const char *start = j->p, *q = j->p;
    int integral = 1;
    if (q < j->end && *q == '-') q++;
    if (q >= j->end) return DECLINE;
    if (*q == '0') {
        q++;
    } else if (*q >= '1' && *q <= '9') {
        while (q < j->end && *q >= '0' && *q <= '9') q++;
    } else {
        return DECLINE;
    }
    if (q < j->end && *q == '.') {
        integral = 0;
        q++;
        if (q >= j->end || *q < '0' || *q > '9') return DECLINE;
        while (q < j->end && *q >= '0' && *q <= '9') q++;
    }
    if (q < j->end && (*q == 'e' || *q == 'E')) {
        integral = 0;
        q++;
        if (q < j->end && (*q == '+' || *q == '-')) q++;
        if (q >= j->end || *q < '0' || *q > '9') return DECLINE;
        while (q < j->end && *q >= '0' && *q <= '9') q++;
    }
    size_t len = (size_t)(q - start);
    char buf[40];
    if (len >= sizeof buf) return DECLINE;
    memcpy(buf, start, len);
    buf[len] = 0;
    if (integral) {
        if (len > 18) return DECLINE; /* beyond what int64 surely holds: the reference decides */
        int64_t v = 0;
        for (const char *k = buf + (buf[0] == '-'); *k; k++) v = v * 10 + (*k - '0');
        *i = buf[0] == '-' ? -v : v;
        *d = (double)*i;
    } else {
        *d = strtod(buf, NULL);
        if (!isfinite(*d)) return DECLINE;
    }
    *is_int = integral;
    j->p = q;
    return OK;
}

/* after a list item or object member: 1 when `close` ends the container, 0 after a ',', else -1 */
static int j_sep(J *j, char close) {
    int c = j_peek(j);
    if (c == (unsigned char)close || c == ',') {
        j->p++;
        return c == (unsigned char)close;
    }
    return -1;
}

/* skip one value of any kind (syntax-checked), nesting at most 32 deep */
static int j_skip(J *j, int depth) {
    if (depth > 32) return DECLINE;
    int c = j_peek(j), is_int;
    int64_t i;
    double d;
    const char *s;
    Py_ssize_t n;
    switch (c) {
    case '"': return j_raw_string(j, &s, &n) == OK ? OK : DECLINE;
    case 't': return j_literal(j, "true", 4);
    case 'f': return j_literal(j, "false", 5);
    case 'n': return j_literal(j, "null", 4);
    case '[':
        j->p++;
        if (j_peek(j) == ']') return j->p++, OK;
        for (;;) {
            CHECK(j_skip(j, depth + 1));
            if ((c = j_sep(j, ']')) != 0) return c > 0 ? OK : DECLINE;
        }
    case '{':
        j->p++;
        if (j_peek(j) == '}') return j->p++, OK;
        for (;;) {
            CHECK(j_raw_string(j, &s, &n));
            CHECK(j_char(j, ':'));
            CHECK(j_skip(j, depth + 1));
            if ((c = j_sep(j, '}')) != 0) return c > 0 ? OK : DECLINE;
        }
    default:
        return j_number(j, &is_int, &i, &d);
    }
}

/* The end of the object or list at j->p, found by bracket counting alone (strings skipped, escapes
   honoured). Used to find where a value ends before it is parsed strictly; the strict parse must then
   end at the same place, or the walker declines. */
static int j_fast_skip(J *j) {
    int depth = 0;
    j_ws(j);
    while (j->p < j->end) {
        char c = *j->p++;
        if (c == '"') {
            while (j->p < j->end && *j->p != '"') j->p += (*j->p == '\\') ? 2 : 1;
            if (j->p >= j->end) return DECLINE;
            j->p++;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (--depth == 0) return OK;
            if (depth < 0) return DECLINE;
        }
    }
    return DECLINE;
}

/* null consumed → 1 */
static int j_null(J *j) {
    if (j_peek(j) == 'n' && j_literal(j, "null", 4) == OK) return 1;
    return 0;
}

/* Object iteration: j_object_open, then j_next_key until it returns 0 (object closed). Known keys
   are matched against a table; a known key seen twice declines (the reference keeps the last). */
typedef struct {
    const char *name;
    size_t len;
} Key;
#define KEY_OF(text) {text, sizeof(text) - 1}

static int j_object_open(J *j) { return j_char(j, '{'); }

/* 1 with *index of the key (-1 when unknown), 0 at the end, or -DECLINE */
static int j_next_key(J *j, const Key *keys, int n, int *index, int *first, uint64_t *seen) {
    if (*first) {
        *first = 0;
        if (j_peek(j) == '}') {
            j->p++;
            return 0;
        }
    } else {
        int end = j_sep(j, '}');
        if (end < 0) return -DECLINE;
        if (end) return 0;
    }
    const char *s;
    Py_ssize_t len;
    if (j_raw_string(j, &s, &len) || j_char(j, ':')) return -DECLINE;
    *index = -1;
    for (int k = 0; k < n; k++) {
        if ((size_t)len == keys[k].len && memcmp(s, keys[k].name, (size_t)len) == 0) {
            if (*seen & (1ULL << k)) return -DECLINE;
            *seen |= 1ULL << k;
            *index = k;
            break;
        }
    }
    return 1;
}

#define FOR_KEYS(j, keys, index)                                                                         \
    for (int _first = 1, _more; (_more = j_next_key(j, keys, (int)(sizeof keys / sizeof *keys), &index, \
                                                    &_first, &_seen)) != 0;)                            \
        if (_more < 0) return DECLINE;                                                                   \
        else

/* typed values; null leaves the slot NULL */
static int jv_string(J *j, Slot *s) {
    if (j_null(j)) return OK;
    const char *p;
    Py_ssize_t n;
    CHECK(j_raw_string(j, &p, &n));
    slot_str(s, p, n);
    return OK;
}

static int jv_int(J *j, Slot *s) {
    if (j_null(j)) return OK;
    int is_int;
    int64_t i;
    double d;
    CHECK(j_number(j, &is_int, &i, &d));
    if (!is_int) return DECLINE;
    slot_int(s, i);
    return OK;
}

static int jv_epoch(J *j, Slot *s, int *ms) {
    CHECK(jv_int(j, s));
    if (s->tag == S_INT) s->i = to_seconds(s->i, ms);
    return OK;
}

/* an entity's epoch value: as jv_epoch, declining an implausible one (see EARLIEST) */
static int jv_entity_epoch(J *j, Slot *s, int *ms) {
    CHECK(jv_epoch(j, s, ms));
    return s->tag == S_INT && !plausible(s->i) ? DECLINE : OK;
}

static int jv_float(J *j, Slot *s) {
    if (j_null(j)) return OK;
    int is_int;
    int64_t i;
    double d;
    CHECK(j_number(j, &is_int, &i, &d));
    if (is_int && (i > (1LL << 53) || i < -(1LL << 53))) return DECLINE;
    slot_float(s, d);
    return OK;
}

static int jv_bool(J *j, Slot *s) {
    if (j_null(j)) return OK;
    int c = j_peek(j);
    if (c == 't' && j_literal(j, "true", 4) == OK) return slot_bool(s, 1), OK;
    if (c == 'f' && j_literal(j, "false", 5) == OK) return slot_bool(s, 0), OK;
    return DECLINE;
}

static int jv_enum(J *j, Slot *s, int table) {
    if (j_null(j)) return OK;
    int c = j_peek(j);
    if (c == '"') {
        CHECK(jv_string(j, s));
        if (s->n == 0 || (s->s[0] >= '0' && s->s[0] <= '9') || s->s[0] == '-') return DECLINE;
        return OK;
    }
    int is_int;
    int64_t i;
    double d;
    CHECK(j_number(j, &is_int, &i, &d));
    if (!is_int || i > INT32_MAX || i < INT32_MIN) return DECLINE;
    slot_enum(s, table, i);
    return OK;
}

static const Key TRIP_KEYS[] = {KEY_OF("trip_id"), KEY_OF("route_id"), KEY_OF("direction_id"),
                                KEY_OF("start_time"), KEY_OF("start_date"), KEY_OF("schedule_relationship"),
                                KEY_OF("route_pattern_id"), KEY_OF("tm_trip_id"), KEY_OF("revenue"),
                                KEY_OF("last_trip")};

/* an object or null (then *present = 0) */
static int j_maybe_object(J *j, int *present) {
    *present = 0;
    if (j_null(j)) return OK;
    CHECK(j_object_open(j));
    *present = 1;
    return OK;
}

static int jt_trip(J *j, Slot *t) {
    int present, index;
    uint64_t _seen = 0;
    CHECK(j_maybe_object(j, &present));
    if (!present) return OK;
    FOR_KEYS(j, TRIP_KEYS, index) {
        switch (index) {
        case 0: CHECK(jv_string(j, &t[T_TRIP_ID])); break;
        case 1: CHECK(jv_string(j, &t[T_ROUTE_ID])); break;
        case 2: CHECK(jv_int(j, &t[T_DIRECTION_ID])); break;
        case 3: CHECK(jv_string(j, &t[T_START_TIME])); break;
        case 4: CHECK(jv_string(j, &t[T_START_DATE])); break;
        case 5: CHECK(jv_enum(j, &t[T_SCHEDULE_RELATIONSHIP], E_TRIP_SR)); break;
        case 6: CHECK(jv_string(j, &t[T_ROUTE_PATTERN_ID])); break;
        case 7: CHECK(jv_string(j, &t[T_TM_TRIP_ID])); break;
        case 8: CHECK(jv_bool(j, &t[T_REVENUE])); break;
        case 9: CHECK(jv_bool(j, &t[T_LAST_TRIP])); break;
        default: CHECK(j_skip(j, 0)); break;
        }
    }
    return OK;
}

static const Key LABEL_KEYS[] = {KEY_OF("label")};

/* vehicle.consist: [{"label": ...}, ...] or null; *count = -1 when null */
static int jt_consist(J *j, Out *o, int64_t *count) {
    *count = -1;
    if (j_null(j)) return OK;
    CHECK(j_char(j, '['));
    *count = 0;
    if (j_peek(j) == ']') return j->p++, OK;
    for (;;) {
        Slot label = {0};
        int index;
        uint64_t _seen = 0;
        CHECK(j_object_open(j)); /* a null car is left to the reference */
        FOR_KEYS(j, LABEL_KEYS, index) {
            if (index == 0) CHECK(jv_string(j, &label));
            else CHECK(j_skip(j, 0));
        }
        CHECK(col_append(&o->vp[VP_CONSIST].children[0], &label));
        (*count)++;
        int c = j_sep(j, ']');
        if (c) return c > 0 ? OK : DECLINE;
    }
}

static const Key VEHICLE_KEYS[] = {KEY_OF("id"), KEY_OF("label"), KEY_OF("license_plate"),
                                   KEY_OF("wheelchair_accessible"), KEY_OF("consist")};

/* consist may be NULL (TripUpdate.vehicle has no consist column: it is skipped) */
static int jt_vehicle_descriptor(J *j, Slot *v, Out *o, int64_t *consist) {
    int present, index;
    uint64_t _seen = 0;
    CHECK(j_maybe_object(j, &present));
    if (!present) return OK;
    FOR_KEYS(j, VEHICLE_KEYS, index) {
        switch (index) {
        case 0: CHECK(jv_string(j, &v[V_ID])); break;
        case 1: CHECK(jv_string(j, &v[V_LABEL])); break;
        case 2: CHECK(jv_string(j, &v[V_LICENSE_PLATE])); break;
        case 3: CHECK(jv_enum(j, &v[V_WHEELCHAIR], E_WHEELCHAIR)); break;
        case 4:
            if (consist) CHECK(jt_consist(j, o, consist));
            else CHECK(j_skip(j, 0));
            break;
        default: CHECK(j_skip(j, 0)); break;
        }
    }
    return OK;
}

static const Key EVENT_KEYS[] = {KEY_OF("time"), KEY_OF("delay"), KEY_OF("uncertainty")};

static int jt_stop_time_event(J *j, Slot *e, int *ms) {
    int present, index;
    uint64_t _seen = 0;
    CHECK(j_maybe_object(j, &present));
    if (!present) return OK;
    FOR_KEYS(j, EVENT_KEYS, index) {
        switch (index) {
        case 0: CHECK(jv_entity_epoch(j, &e[0], ms)); break;
        case 1: CHECK(jv_int(j, &e[1])); break;
        case 2: CHECK(jv_int(j, &e[2])); break;
        default: CHECK(j_skip(j, 0)); break;
        }
    }
    return OK;
}

static const Key STOP_KEYS[] = {KEY_OF("stop_sequence"), KEY_OF("stop_id"), KEY_OF("arrival"),
                                KEY_OF("departure"), KEY_OF("schedule_relationship"),
                                KEY_OF("departure_occupancy_status"), KEY_OF("boarding_status")};

static int jt_stop_time_update(J *j, Out *o, Slot *row, int64_t index_in_trip) {
    int ms = 0, index;
    uint64_t _seen = 0;
    memset(&row[TU_FIRST_STOP], 0, sizeof(Slot) * (TU_N - TU_FIRST_STOP));
    slot_int(&row[TU_STOP_INDEX], index_in_trip);
    CHECK(j_object_open(j)); /* a null update is left to the reference */
    FOR_KEYS(j, STOP_KEYS, index) {
        switch (index) {
        case 0: CHECK(jv_int(j, &row[TU_STOP_SEQUENCE])); break;
        case 1: CHECK(jv_string(j, &row[TU_STOP_ID])); break;
        case 2: CHECK(jt_stop_time_event(j, &row[TU_ARRIVAL_TIME], &ms)); break;
        case 3: CHECK(jt_stop_time_event(j, &row[TU_DEPARTURE_TIME], &ms)); break;
        case 4: CHECK(jv_enum(j, &row[TU_STOP_SCHEDULE_RELATIONSHIP], E_STOP_SR)); break;
        case 5: CHECK(jv_enum(j, &row[TU_DEPARTURE_OCCUPANCY], E_OCCUPANCY)); break;
        case 6: CHECK(jv_string(j, &row[TU_BOARDING_STATUS])); break;
        default: CHECK(j_skip(j, 0)); break;
        }
    }
    return tu_stop_row(o, row, ms);
}

static const Key TRIP_UPDATE_KEYS[] = {KEY_OF("trip"), KEY_OF("vehicle"), KEY_OF("timestamp"), KEY_OF("delay"),
                                       KEY_OF("stop_time_update")};

/* at the trip update's '{' */
static int jt_trip_update(J *j, Out *o, const Slot *entity_id, int64_t entity_index, const Slot *deleted) {
    Slot row[TU_N];
    memset(row, 0, sizeof row);
    provenance(o, row, entity_id, entity_index, deleted);
    int ms = 0, index;
    uint64_t _seen = 0;
    o->stop_ms.len = 0;
    CHECK(j_object_open(j));
    FOR_KEYS(j, TRIP_UPDATE_KEYS, index) {
        switch (index) {
        case 0: CHECK(jt_trip(j, &row[TU_TRIP])); break;
        case 1: CHECK(jt_vehicle_descriptor(j, &row[TU_VEHICLE], o, NULL)); break;
        case 2: CHECK(jv_entity_epoch(j, &row[TU_TIMESTAMP], &ms)); break;
        case 3: CHECK(jv_int(j, &row[TU_DELAY])); break;
        case 4:
            if (j_null(j)) break;
            CHECK(j_char(j, '['));
            if (j_peek(j) == ']') {
                j->p++;
                break;
            }
            for (int64_t k = 0;; k++) {
                CHECK(jt_stop_time_update(j, o, row, k));
                int c = j_sep(j, ']');
                if (c < 0) return DECLINE;
                if (c) break;
            }
            break;
        default: CHECK(j_skip(j, 0)); break;
        }
    }
    return tu_trip_rows(o, row, ms);
}

static const Key CARRIAGE_KEYS[] = {KEY_OF("id"), KEY_OF("label"), KEY_OF("occupancy_status"),
                                    KEY_OF("occupancy_percentage"), KEY_OF("carriage_sequence")};

static int jt_carriages(J *j, Out *o, int64_t *count) {
    *count = -1;
    if (j_null(j)) return OK;
    CHECK(j_char(j, '['));
    *count = 0;
    if (j_peek(j) == ']') return j->p++, OK;
    Col *structs = &o->vp[VP_CARRIAGES].children[0];
    for (;;) {
        Slot car[CAR_N];
        memset(car, 0, sizeof car);
        int index;
        uint64_t _seen = 0;
        CHECK(j_object_open(j));
        FOR_KEYS(j, CARRIAGE_KEYS, index) {
            switch (index) {
            case 0: CHECK(jv_string(j, &car[CAR_ID])); break;
            case 1: CHECK(jv_string(j, &car[CAR_LABEL])); break;
            case 2: CHECK(jv_enum(j, &car[CAR_OCCUPANCY_STATUS], E_OCCUPANCY)); break;
            case 3: CHECK(jv_int(j, &car[CAR_OCCUPANCY_PERCENTAGE])); break;
            case 4: CHECK(jv_int(j, &car[CAR_SEQUENCE])); break;
            default: CHECK(j_skip(j, 0)); break;
            }
        }
        CHECK(append_row(structs->children, car, 0, CAR_N));
        CHECK(struct_close(structs));
        CHECK(col_append(&o->vp[VP_CARRIAGE_LABELS].children[0], &car[CAR_LABEL]));
        (*count)++;
        int c = j_sep(j, ']');
        if (c) return c > 0 ? OK : DECLINE;
    }
}

static const Key POSITION_KEYS[] = {KEY_OF("latitude"), KEY_OF("longitude"), KEY_OF("bearing"),
                                    KEY_OF("odometer"), KEY_OF("speed")};

static int jt_position(J *j, Slot *row) {
    int present, index;
    uint64_t _seen = 0;
    CHECK(j_maybe_object(j, &present));
    if (!present) return OK;
    FOR_KEYS(j, POSITION_KEYS, index) {
        if (index < 0) CHECK(j_skip(j, 0));
        else CHECK(jv_float(j, &row[VP_LATITUDE + index]));
    }
    return OK;
}

static const Key VP_KEYS[] = {KEY_OF("trip"), KEY_OF("vehicle"), KEY_OF("position"),
                              KEY_OF("current_stop_sequence"), KEY_OF("stop_id"), KEY_OF("current_status"),
                              KEY_OF("timestamp"), KEY_OF("congestion_level"), KEY_OF("occupancy_status"),
                              KEY_OF("occupancy_percentage"), KEY_OF("multi_carriage_details")};

static int jt_vehicle_position(J *j, Out *o, const Slot *entity_id, int64_t entity_index, const Slot *deleted) {
    Slot row[VP_N];
    memset(row, 0, sizeof row);
    provenance(o, row, entity_id, entity_index, deleted);
    int ms = 0, index;
    uint64_t _seen = 0;
    int64_t consist = -1, carriages = -1;
    CHECK(j_object_open(j));
    FOR_KEYS(j, VP_KEYS, index) {
        switch (index) {
        case 0: CHECK(jt_trip(j, &row[VP_TRIP])); break;
        case 1: CHECK(jt_vehicle_descriptor(j, &row[VP_VEHICLE], o, &consist)); break;
        case 2: CHECK(jt_position(j, row)); break;
        case 3: CHECK(jv_int(j, &row[VP_CURRENT_STOP_SEQUENCE])); break;
        case 4: CHECK(jv_string(j, &row[VP_STOP_ID])); break;
        case 5: CHECK(jv_enum(j, &row[VP_CURRENT_STATUS], E_STOP_STATUS)); break;
        case 6: CHECK(jv_entity_epoch(j, &row[VP_TIMESTAMP], &ms)); break;
        case 7: CHECK(jv_enum(j, &row[VP_CONGESTION], E_CONGESTION)); break;
        case 8: CHECK(jv_enum(j, &row[VP_OCCUPANCY_STATUS], E_OCCUPANCY)); break;
        case 9: CHECK(jv_int(j, &row[VP_OCCUPANCY_PERCENTAGE])); break;
        case 10: CHECK(jt_carriages(j, o, &carriages)); break;
        default: CHECK(j_skip(j, 0)); break;
        }
    }
    o->corrected += ms;
    slot_bool(&row[VP_MS], ms);
    o->vp_rows++;
    CHECK(append_row(o->vp, row, 0, VP_CONSIST));
    CHECK(list_close(&o->vp[VP_CONSIST], consist < 0));
    CHECK(append_row(o->vp, row, VP_CONSIST + 1, VP_CARRIAGES));
    CHECK(list_close(&o->vp[VP_CARRIAGES], carriages < 0));
    return list_close(&o->vp[VP_CARRIAGE_LABELS], carriages < 0);
}

static const Key ENTITY_KEYS[] = {KEY_OF("id"), KEY_OF("is_deleted"), KEY_OF("trip_update"), KEY_OF("vehicle"),
                                  KEY_OF("alert")};

/* rows [start, end) were written with is_deleted NULL before the entity's is_deleted was read */
static int bool_patch(Col *c, int64_t start, int64_t end, const Slot *value) {
    if (value->tag != S_BOOL) return OK;
    for (int64_t r = start; r < end; r++) {
        CHECK(bit_put(&c->valid, r, 1));
        if (value->i) CHECK(bit_put(&c->data, r, 1));
    }
    c->nulls -= end - start;
    return OK;
}

/* A payload (trip_update / vehicle) is read where it stands once the entity id is known (MBTA writes
   the id first); one that comes before the id is skipped and read after the entity's other keys. */
static int jt_entity(J *j, Out *o, int64_t entity_index) {
    Slot entity_id = {0}, deleted = {0};
    const char *deferred[2] = {NULL, NULL}, *deferred_end[2] = {NULL, NULL};
    int64_t vp_start = o->vp_rows, tu_start = o->tu_rows;
    int index;
    uint64_t _seen = 0;
    CHECK(j_object_open(j)); /* a null entity is left to the reference */
    FOR_KEYS(j, ENTITY_KEYS, index) {
        switch (index) {
        case 0: CHECK(jv_string(j, &entity_id)); break;
        case 1:
            CHECK(jv_bool(j, &deleted));
            CHECK(bool_patch(&o->tu[TU_IS_DELETED], tu_start, o->tu_rows, &deleted));
            CHECK(bool_patch(&o->vp[VP_IS_DELETED], vp_start, o->vp_rows, &deleted));
            break;
        case 2: case 3:
            if (j_null(j)) break;
            if (j_peek(j) != '{') return DECLINE;
            o->kinds |= index == 2 ? 1 : 2;
            if (_seen & 1) { /* the id is known */
                if (index == 2) CHECK(jt_trip_update(j, o, &entity_id, entity_index, &deleted));
                else CHECK(jt_vehicle_position(j, o, &entity_id, entity_index, &deleted));
            } else {
                deferred[index - 2] = j->p;
                CHECK(j_fast_skip(j));
                deferred_end[index - 2] = j->p;
            }
            break;
        case 4:
            if (!j_null(j)) return DECLINE; /* alerts: reference path */
            break;
        default: CHECK(j_skip(j, 0)); break;
        }
    }
    for (int k = 0; k < 2; k++) {
        if (!deferred[k]) continue;
        J sub = {deferred[k], j->end};
        if (k == 0) CHECK(jt_trip_update(&sub, o, &entity_id, entity_index, &deleted));
        else CHECK(jt_vehicle_position(&sub, o, &entity_id, entity_index, &deleted));
        if (sub.p != deferred_end[k]) return DECLINE;
    }
    return OK;
}

static const Key HEADER_KEYS[] = {KEY_OF("gtfs_realtime_version"), KEY_OF("incrementality"), KEY_OF("timestamp")};
static const Key FEED_KEYS[] = {KEY_OF("header"), KEY_OF("entity")};

static int jt_header(J *j, Out *o, Slot *version, Slot *incrementality) {
    int index;
    uint64_t _seen = 0;
    CHECK(j_object_open(j));
    FOR_KEYS(j, HEADER_KEYS, index) {
        switch (index) {
        case 0: CHECK(jv_string(j, version)); break;
        case 1: CHECK(jv_enum(j, incrementality, E_INCREMENTALITY)); break;
        case 2: CHECK(jv_epoch(j, &o->feed_timestamp, &o->header_ms)); break;
        default: return DECLINE; /* e.g. camelCase canonical JSON: the reference converts it */
        }
    }
    return OK;
}

static int jt_entities(J *j, Out *o, int64_t *entities) {
    CHECK(j_char(j, '['));
    if (j_peek(j) == ']') return j->p++, OK;
    for (;;) {
        CHECK(jt_entity(j, o, (*entities)++));
        int c = j_sep(j, ']');
        if (c) return c > 0 ? OK : DECLINE;
    }
}

/* one pass: the entities may come before the header (see finish_header_columns) */
static int jt_feed(J *j, Out *o, Slot *version, Slot *incrementality, int64_t *entities) {
    int index, header = 0;
    uint64_t _seen = 0;
    *entities = 0;
    CHECK(j_object_open(j));
    FOR_KEYS(j, FEED_KEYS, index) {
        switch (index) {
        case 0:
            CHECK(jt_header(j, o, version, incrementality));
            header = 1;
            break;
        case 1:
            if (!j_null(j)) CHECK(jt_entities(j, o, entities));
            break;
        default: CHECK(j_skip(j, 0)); break;
        }
    }
    if (j_peek(j) != -1 || !header) return DECLINE; /* trailing bytes, or no header */
    if (version->tag != S_STR) return DECLINE;      /* no version: the reference rejects it */
    return OK;
}

/* decode_json(text, source_file_id) -> None or
   (version, incrementality, header timestamp, header in ms, entity count, (kinds, corrected, vp, tu)) */
static PyObject *decode_json(PyObject *self, PyObject *args) {
    Py_buffer view;
    PyObject *source, *result = NULL;
    if (!PyArg_ParseTuple(args, "y*U", &view, &source)) return NULL;
    Slot version = {0}, incrementality = {0};
    int64_t entities = 0;
    J j = {view.buf, (const char *)view.buf + view.len};
    Out o;
    if (out_init(&o, source)) goto cleanup;
    int rc = jt_feed(&j, &o, &version, &incrementality, &entities);
    if (rc == DECLINE && !PyErr_Occurred()) {
        result = Py_None;
        Py_INCREF(result);
        goto cleanup;
    }
    if (rc) goto cleanup;
    PyObject *tables = out_result(&o);
    if (!tables) goto cleanup;
    PyObject *timestamp = o.feed_timestamp.tag ? PyLong_FromLongLong(o.feed_timestamp.i) : (Py_INCREF(Py_None), Py_None);
    result = Py_BuildValue("(s#NNiLN)", version.s, version.n,
                           incrementality.tag ? PyUnicode_FromStringAndSize(incrementality.s, incrementality.n)
                                              : (Py_INCREF(Py_None), Py_None),
                           timestamp, o.header_ms, (long long)entities, tables);
cleanup:
    out_free(&o);
    PyBuffer_Release(&view);
    return result;
}

/* ========================================== module ========================================== */

/* configure(tables): the 7 enum dicts {number: name}, in the order of the E_ constants */
static PyObject *configure(PyObject *self, PyObject *tables) {
    if (!PyTuple_Check(tables) || PyTuple_GET_SIZE(tables) != E_N) {
        PyErr_SetString(PyExc_ValueError, "configure() needs a tuple of the enum tables");
        return NULL;
    }
    for (int t = 0; t < E_N; t++) {
        PyObject *dict = PyTuple_GET_ITEM(tables, t), *key, *value;
        Py_ssize_t pos = 0;
        if (!PyDict_Check(dict)) {
            PyErr_SetString(PyExc_TypeError, "enum tables must be dicts");
            return NULL;
        }
        Py_INCREF(dict);
        Py_XSETREF(enum_dicts[t], dict); /* keeps the name strings (and their UTF-8) alive */
        memset(enum_names[t], 0, sizeof enum_names[t]);
        while (PyDict_Next(dict, &pos, &key, &value)) {
            long number = PyLong_AsLong(key);
            if (number == -1 && PyErr_Occurred()) return NULL;
            if (number < 0 || number >= ENUM_MAX) continue; /* formatted as text instead */
            if (!(enum_names[t][number] = PyUnicode_AsUTF8AndSize(value, &enum_lengths[t][number]))) return NULL;
        }
    }
    Py_RETURN_NONE;
}

static PyObject *kinds_list(const int *kinds, int n) {
    static const char *names[] = {"string", "int64", "int32", "float64", "bool", "list", "struct"};
    PyObject *list = PyList_New(n);
    if (!list) return NULL;
    for (int i = 0; i < n; i++) PyList_SET_ITEM(list, i, PyUnicode_FromString(names[kinds[i]]));
    return list;
}

/* layout() -> (VehiclePositions column kinds, TripUpdates column kinds, carriage kinds) */
static PyObject *layout(PyObject *self, PyObject *unused) {
    return Py_BuildValue("(NNN)", kinds_list(VP_KINDS, VP_N), kinds_list(TU_KINDS, TU_N),
                         kinds_list(CAR_KINDS, CAR_N));
}

static PyMethodDef methods[] = {
    {"configure", configure, METH_O, "Set the enum name tables."},
    {"layout", layout, METH_NOARGS, "The column kinds the walkers produce, in schema order."},
    {"decode_protobuf", decode_protobuf, METH_VARARGS, "FeedMessage bytes -> Arrow tables, or None."},
    {"decode_json", decode_json, METH_VARARGS, "Enhanced-JSON text -> Arrow tables, or None."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_wire", NULL, -1, methods};

PyMODINIT_FUNC PyInit__wire(void) { return PyModule_Create(&module); }
