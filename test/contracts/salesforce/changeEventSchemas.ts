/**
 * Avro schemas of LeadChangeEvent and OpportunityChangeEvent, shaped like the ones Salesforce's GetSchema returns
 * (Change Data Capture Developer Guide, "Change Event Message Structure"; Pub/Sub API, "Event Deserialization
 * Considerations"): a record in namespace com.sforce.eventbus whose first field is the ChangeEventHeader record,
 * followed by the object's fields, each nullable with a null default; compound fields (Name, Address) are nested
 * records; dates and date-times are epoch milliseconds (long); currency and numbers are double. A subset of the
 * standard fields, in the order Salesforce lists them.
 */

const header = {
  type: 'record',
  name: 'ChangeEventHeader',
  fields: [
    { name: 'entityName', type: 'string' },
    { name: 'recordIds', type: { type: 'array', items: 'string' } },
    {
      name: 'changeType',
      type: { type: 'enum', name: 'ChangeType', symbols: ['CREATE', 'UPDATE', 'DELETE', 'UNDELETE', 'GAP_CREATE', 'GAP_UPDATE', 'GAP_DELETE', 'GAP_UNDELETE', 'GAP_OVERFLOW', 'SNAPSHOT'] },
    },
    { name: 'changeOrigin', type: 'string' },
    { name: 'transactionKey', type: 'string' },
    { name: 'sequenceNumber', type: 'int' },
    { name: 'commitTimestamp', type: 'long' },
    { name: 'commitNumber', type: 'long' },
    { name: 'commitUser', type: 'string' },
    { name: 'nulledFields', type: { type: 'array', items: 'string' } },
    { name: 'diffFields', type: { type: 'array', items: 'string' } },
    { name: 'changedFields', type: { type: 'array', items: 'string' } },
  ],
  doc: 'Common header of change events',
};

const opt = (name: string, type: string, doc: string) => ({ name, type: ['null', type], doc, default: null });

const personName = {
  type: 'record',
  name: 'Switchable_PersonName',
  fields: [
    opt('Salutation', 'string', 'Data:Picklist'),
    opt('FirstName', 'string', 'Data:Text'),
    opt('LastName', 'string', 'Data:Text'),
    opt('MiddleName', 'string', 'Data:Text'),
    opt('InformalName', 'string', 'Data:Text'),
    opt('Suffix', 'string', 'Data:Text'),
  ],
};

const address = {
  type: 'record',
  name: 'Address',
  fields: [
    opt('Street', 'string', 'Data:TextArea'),
    opt('City', 'string', 'Data:Text'),
    opt('State', 'string', 'Data:Text'),
    opt('PostalCode', 'string', 'Data:Text'),
    opt('Country', 'string', 'Data:Text'),
    opt('StateCode', 'string', 'Data:Picklist'),
    opt('CountryCode', 'string', 'Data:Picklist'),
    opt('Latitude', 'double', 'Data:Double'),
    opt('Longitude', 'double', 'Data:Double'),
    opt('GeocodeAccuracy', 'string', 'Data:Picklist'),
  ],
};

export const LEAD_CHANGE_EVENT = {
  type: 'record',
  name: 'LeadChangeEvent',
  namespace: 'com.sforce.eventbus',
  fields: [
    { name: 'ChangeEventHeader', type: header, doc: 'Data:ComplexValueType' },
    { name: 'Name', type: ['null', personName], doc: 'Data:PersonName', default: null },
    opt('Title', 'string', 'Data:Text'),
    opt('Company', 'string', 'Data:Text'),
    { name: 'Address', type: ['null', address], doc: 'Data:Address', default: null },
    opt('Phone', 'string', 'Data:Phone'),
    opt('MobilePhone', 'string', 'Data:Phone'),
    opt('Email', 'string', 'Data:Email'),
    opt('Website', 'string', 'Data:Url'),
    opt('Description', 'string', 'Data:TextArea'),
    opt('LeadSource', 'string', 'Data:Picklist'),
    opt('Status', 'string', 'Data:Picklist'),
    opt('Industry', 'string', 'Data:Picklist'),
    opt('Rating', 'string', 'Data:Picklist'),
    opt('AnnualRevenue', 'double', 'Data:Currency'),
    opt('NumberOfEmployees', 'int', 'Data:Integer'),
    opt('OwnerId', 'string', 'Data:EntityId'),
    opt('IsConverted', 'boolean', 'Data:Boolean'),
    opt('ConvertedDate', 'long', 'Data:DateOnly'),
    opt('ConvertedAccountId', 'string', 'Data:EntityId'),
    opt('ConvertedContactId', 'string', 'Data:EntityId'),
    opt('ConvertedOpportunityId', 'string', 'Data:EntityId'),
    opt('IsUnreadByOwner', 'boolean', 'Data:Boolean'),
    opt('CreatedDate', 'long', 'Data:DateTime'),
    opt('CreatedById', 'string', 'Data:EntityId'),
    opt('LastModifiedDate', 'long', 'Data:DateTime'),
    opt('LastModifiedById', 'string', 'Data:EntityId'),
  ],
};

export const OPPORTUNITY_CHANGE_EVENT = {
  type: 'record',
  name: 'OpportunityChangeEvent',
  namespace: 'com.sforce.eventbus',
  fields: [
    { name: 'ChangeEventHeader', type: header, doc: 'Data:ComplexValueType' },
    opt('AccountId', 'string', 'Data:EntityId'),
    opt('IsPrivate', 'boolean', 'Data:Boolean'),
    opt('Name', 'string', 'Data:Text'),
    opt('Description', 'string', 'Data:TextArea'),
    opt('StageName', 'string', 'Data:DynamicEnum'),
    opt('Amount', 'double', 'Data:Currency'),
    opt('Probability', 'double', 'Data:Percent'),
    opt('CloseDate', 'long', 'Data:DateOnly'),
    opt('Type', 'string', 'Data:DynamicEnum'),
    opt('NextStep', 'string', 'Data:Text'),
    opt('LeadSource', 'string', 'Data:DynamicEnum'),
    opt('IsClosed', 'boolean', 'Data:Boolean'),
    opt('IsWon', 'boolean', 'Data:Boolean'),
    opt('ForecastCategory', 'string', 'Data:StaticEnum'),
    opt('ForecastCategoryName', 'string', 'Data:DynamicEnum'),
    opt('CampaignId', 'string', 'Data:EntityId'),
    opt('OwnerId', 'string', 'Data:EntityId'),
    opt('ContactId', 'string', 'Data:EntityId'),
    opt('CreatedDate', 'long', 'Data:DateTime'),
    opt('CreatedById', 'string', 'Data:EntityId'),
    opt('LastModifiedDate', 'long', 'Data:DateTime'),
    opt('LastModifiedById', 'string', 'Data:EntityId'),
    opt('LastStageChangeDate', 'long', 'Data:DateTime'),
  ],
};

/** Change event schemas by topic. */
export const CHANGE_EVENT_SCHEMAS: Record<string, object> = {
  '/data/LeadChangeEvent': LEAD_CHANGE_EVENT,
  '/data/OpportunityChangeEvent': OPPORTUNITY_CHANGE_EVENT,
};
