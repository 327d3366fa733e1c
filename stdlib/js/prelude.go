package js

// preludeName names the prelude's source in goja stack frames; it is not a
// JavaScript identifier, so no js fn can share it.
const preludeName = "<wf sandbox>"

// preludeJS runs once in every new runtime, after the Go guards are
// installed. It disables the Function constructors, turns the inherited
// properties programs commonly assign (e.name = …) into accessors that define
// an own property instead (the "override mistake" of frozen prototypes), and
// deep-freezes everything reachable from the global object and from the
// intrinsics only instances lead to. After it, no call can change anything
// the next call sees.
const preludeJS = `(function () {
"use strict";
const defineProperty = Object.defineProperty, describe = Object.getOwnPropertyDescriptor;
const protoOf = Object.getPrototypeOf, freeze = Object.freeze, ownKeys = Reflect.ownKeys;

function disable(proto, name) {
	const stub = function () {
		throw new EvalError(name + " constructor is disabled in the wf sandbox");
	};
	defineProperty(stub, "name", {value: name});
	defineProperty(stub, "prototype", {value: proto});
	defineProperty(proto, "constructor", {value: stub, configurable: true});
	return stub;
}
defineProperty(globalThis, "Function", {value: disable(Function.prototype, "Function"), writable: true, configurable: true});
disable(protoOf(function* () {}), "GeneratorFunction");
disable(protoOf(async function () {}), "AsyncFunction");

const overridable = ["constructor", "toString", "toLocaleString", "valueOf", "name", "message",
	"hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable", "toJSON"];

function accessorize(obj, key) {
	const d = describe(obj, key);
	if (d === undefined || !("value" in d) || !d.configurable) return;
	const value = d.value;
	// methods, unlike function expressions, have no prototype object to walk
	const access = {
		get() { return value; },
		set(v) {
			if (this === obj) throw new TypeError("Cannot assign to read only property '" + key + "' of a sandbox builtin");
			defineProperty(this, key, {value: v, writable: true, enumerable: true, configurable: true});
		}
	};
	defineProperty(obj, key, {get: access.get, set: access.set, enumerable: d.enumerable, configurable: false});
}

const roots = [
	globalThis,
	protoOf([][Symbol.iterator]()),
	protoOf(new Map()[Symbol.iterator]()),
	protoOf(new Set()[Symbol.iterator]()),
	protoOf(""[Symbol.iterator]()),
	protoOf(/x/[Symbol.matchAll]("")),
	protoOf(function* () {}),
	protoOf(async function () {}),
	describe((function () { return arguments; })(), "callee").get
];
const seen = new Set(), hasOwn = Object.prototype.hasOwnProperty;
while (roots.length > 0) {
	const o = roots.pop();
	if (o === null || (typeof o !== "object" && typeof o !== "function") || seen.has(o)) continue;
	seen.add(o);
	if (typeof o === "object") {
		for (let i = 0; i < overridable.length; i++) {
			if (hasOwn.call(o, overridable[i])) accessorize(o, overridable[i]);
		}
	}
	freeze(o);
	roots.push(protoOf(o));
	const keys = ownKeys(o);
	for (let i = 0; i < keys.length; i++) {
		const d = describe(o, keys[i]);
		if ("value" in d) {
			if (typeof d.value === "object" || typeof d.value === "function") roots.push(d.value);
		} else {
			roots.push(d.get, d.set);
		}
	}
}
return seen.size;
})()`
